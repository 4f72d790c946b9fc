package contract_test

import (
	"go/ast"
	"go/token"
	"strconv"
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
	fset, files := testfixture.GoFiles(t, "internal/contract")
	for _, f := range files {
		tags := map[*ast.BasicLit]bool{}
		ast.Inspect(f.File, func(n ast.Node) bool {
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
	}
}
