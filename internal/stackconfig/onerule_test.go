package stackconfig

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each validation rule has one definition, in the component that needs it (or in internal/awsid,
// which components call). The configuration layer decodes and maps paths to keys; the program wires. A
// second copy of a rule in either is what this test refuses: a call to a rule (awsid's validators, the
// components' own checks) and a problem or fix a component already words.

// ruleLayers are the packages that must not hold a rule of their own.
var ruleLayers = []string{".", "../program"}

// mappedValidations are the components' validations whose field problems the configuration layer maps to
// keys: calling them is how it applies the rules.
var mappedValidations = []string{"ValidateFields", "ValidateLocal", "ValidateAgainstArchive", "FleetRegions", "CheckArchivePolicySizes"}

// minWording is the length from which a component's problem or fix, found in another layer, is a copy.
const minWording = 14

func TestOneRule_NoRuleOutsideTheComponents(t *testing.T) {
	wordings := componentWordings(t, "../../components")
	require.NotEmpty(t, wordings, "the components' problems and fixes are found")
	for _, dir := range ruleLayers {
		for _, file := range goFiles(t, dir) {
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
			require.NoError(t, err)
			for _, p := range secondCopies(f, wordings) {
				t.Errorf("%s: %s", file, p)
			}
		}
	}
}

// The check fires on a planted copy of each kind.
func TestOneRule_FindsAPlantedCopy(t *testing.T) {
	src := `package stackconfig
func planted(r *reader, args *components.DestinationArchiveArgs, id string) {
	r.check(KeyArchiveAccountID, id, awsid.ValidateAccountID(id), "fix")
	if id == args.AccountID {
		r.fail(KeySourceAccountIDs, id, "is the archive account itself", "remove it")
	}
	_ = args.Validate()
	_ = components.CheckReplicationRolePolicySize(nil)
	_ = components.ObjectLockModes
	_ = args.ValidateFields()
}`
	f, err := parser.ParseFile(token.NewFileSet(), "planted.go", src, 0)
	require.NoError(t, err)
	found := strings.Join(secondCopies(f, componentWordings(t, "../../components")), "\n")
	for _, want := range []string{"awsid.ValidateAccountID", `"is the archive account itself"`, ".Validate()",
		"components.CheckReplicationRolePolicySize", "components.ObjectLockModes"} {
		assert.Contains(t, found, want)
	}
	assert.NotContains(t, found, "calls .ValidateFields()", "the mapped validations are how the rules are applied")
}

// secondCopies are the rules f applies or words itself.
func secondCopies(f *ast.File, wordings map[string]bool) []string {
	var found []string
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			pkg, _ := n.X.(*ast.Ident)
			name := n.Sel.Name
			switch {
			case pkg != nil && pkg.Name == "awsid" && (strings.HasPrefix(name, "Validate") ||
				slices.Contains([]string{"DifferentPartitions", "IsOptInRegion", "MaxPrefixLength", "ReplicaStorageClasses"}, name)):
				found = append(found, "calls the rule awsid."+name+": let the component check it")
			case pkg != nil && pkg.Name == "components" && !slices.Contains(mappedValidations, name) &&
				(strings.HasPrefix(name, "Validate") || strings.HasPrefix(name, "Check") || slices.Contains(componentRuleData, name)):
				found = append(found, "uses the component's rule components."+name+": call the component's validation and map its problems")
			case (pkg == nil || (pkg.Name != "components" && pkg.Name != "awsid")) && strings.HasPrefix(name, "Validate") &&
				!slices.Contains(mappedValidations, name):
				found = append(found, "calls ."+name+"(), whose problems are not mapped to the stack file's keys: call one of "+
					strings.Join(mappedValidations, ", "))
			}
		case *ast.BasicLit:
			if n.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(n.Value)
			if err != nil {
				return true
			}
			for w := range wordings {
				if strings.Contains(s, w) {
					found = append(found, "words the component's rule itself: "+strconv.Quote(w))
				}
			}
		}
		return true
	})
	slices.Sort(found)
	return slices.Compact(found)
}

// componentRuleData are the lists and helpers a rule of the components is made of.
var componentRuleData = []string{"ObjectLockModes", "LifecycleStorageClasses", "SourcePrincipalModes", "AdoptedBefore",
	"ServicesNotShownToWriteLocked", "LogServices"}

// componentWordings are the string literals the components give as a problem or a fix (fielderr's Add
// and Check), from minWording characters: the words of their rules.
func componentWordings(t *testing.T, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, file := range goFiles(t, dir) {
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Add" && sel.Sel.Name != "Check") || len(call.Args) != 4 {
				return true
			}
			args := call.Args[3:]
			if sel.Sel.Name == "Add" {
				args = call.Args[2:]
			}
			for _, a := range args {
				ast.Inspect(a, func(n ast.Node) bool {
					if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if s, err := strconv.Unquote(lit.Value); err == nil && len(strings.TrimSpace(s)) >= minWording {
							out[s] = true
						}
					}
					return true
				})
			}
			return true
		})
	}
	return out
}

// goFiles are the package's Go files but its tests.
func goFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			out = append(out, filepath.Join(dir, name))
		}
	}
	return out
}
