package catalog_test

import (
	"go/ast"
	"go/token"
	"regexp"
	"strconv"
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
	fset, files := testfixture.GoFiles(t, "internal/catalog")
	for _, f := range files {
		ast.Inspect(f.File, func(n ast.Node) bool {
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
	}
}
