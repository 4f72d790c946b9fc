package contract_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"log-archive/internal/contract"
	"log-archive/internal/testfixture"
)

// Output names are written once, in the struct tags of internal/contract: no other Go file of the module
// (tests aside) spells one as a string, but a component's own outputs. A second copy is how a renamed output silently stops reaching the
// source stacks, verify or backfill. Struct tags elsewhere (verify's report JSON) are their own formats.
func TestOutputNamesAreWrittenOnlyInTheContract(t *testing.T) {
	names := map[string]bool{}
	for _, f := range contract.Fields[contract.ArchiveOutputs]() {
		names[f.Name] = true
	}
	for _, f := range contract.Fields[contract.SourceOutputs]() {
		names[f.Name] = true
	}
	root := testfixture.Root()
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || rel == filepath.Join("internal", "contract")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		checked++
		tags := map[*ast.BasicLit]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			if field, ok := n.(*ast.Field); ok && field.Tag != nil {
				tags[field.Tag] = true
			}
			// A component's own outputs (RegisterResourceOutputs) are the component's, not the stack's.
			if call, ok := n.(*ast.CallExpr); ok {
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "RegisterResourceOutputs" {
					ast.Inspect(call, func(n ast.Node) bool {
						if lit, ok := n.(*ast.BasicLit); ok {
							tags[lit] = true
						}
						return true
					})
				}
			}
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING || tags[lit] {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && names[s] {
				t.Errorf("%s: the output name %q is spelt here; use internal/contract's typed outputs (contract.NameOf)", fset.Position(lit.Pos()), s)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("only %d Go files checked; is the root %s right?", checked, root)
	}
}
