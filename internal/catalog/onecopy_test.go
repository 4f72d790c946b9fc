package catalog_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"log-archive/internal/catalog"
	"log-archive/internal/testfixture"
)

// typeToken is a Pulumi resource type token of the AWS provider, or the provider's own type.
var typeToken = regexp.MustCompile(`^aws:[a-z0-9]+/[A-Za-z0-9]+:[A-Za-z0-9]+$`)

// A resource type is spelt once, as a catalog constant: no other Go file of the module (tests aside) writes
// a type token as a string. Code that keys something by type uses catalog.Type, so a fact about a type
// has one home and the coverage test sees it.
func TestTypeTokensAreWrittenOnlyInTheCatalog(t *testing.T) {
	root := testfixture.Root()
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || rel == filepath.Join("internal", "catalog")) {
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
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && (typeToken.MatchString(s) || s == string(catalog.AWSProvider)) {
				t.Errorf("%s: the type %q is spelt here; use its internal/catalog constant", fset.Position(lit.Pos()), s)
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
