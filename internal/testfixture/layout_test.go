package testfixture

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The shape of the packages: components holds the four components and what only they need; the
// AWS identifier rules live in the leaf package internal/awsid, the "did you mean" distance in
// internal/suggest.

const module = "log-archive"

// componentsImporters are the only packages that may import components: those that build the components
// or read their Args.
var componentsImporters = []string{
	"cmd/plan", "internal/plan", "internal/program", "internal/stackconfig", "internal/enginetest",
}

// identifierRules are defined in internal/awsid and nowhere else.
var identifierRules = []string{
	"ValidateAccountID", "ValidateRegion", "ValidateBucketName", "ValidateRoleName", "ValidateRolePath",
	"ValidateKeyAlias", "ValidateKMSKeyArn", "ValidatePrincipalArn", "ValidateGuardDutyDetectorID",
	"ValidateTrailName", "ValidateReplicationPrefix", "ValidateReplicaStorageClass", "ValidateTags",
	"ValidateOrganizationID", "ValidateOrganizationPath", "ValidateTopicArn", "ValidateSinkArn",
	"PartitionOf", "DifferentPartitions", "IsOptInRegion", "BucketArn", "RoleBoundaryArn", "Partitions",
}

// policyGrammar are the policy document types, defined in internal/policy and nowhere else.
var policyGrammar = []string{"Document", "Statement", "Principal", "Conditions", "Strings"}

// policyLimits are the AWS policy size limits (internal/policy's *PolicyLimit constants): no other package
// writes one as a number.
var policyLimits = []string{"6144", "10240", "20480", "30720", "32768"}

type pkgInfo struct {
	imports map[string]bool // of its non-test and test files
	decls   map[string]bool // top-level functions, methods excluded, types, vars and consts of non-test files
	ints    map[string]bool // integer literals of non-test files
}

// packages parses every Go package of the module, keyed by directory relative to the root.
func packages(t *testing.T) map[string]*pkgInfo {
	t.Helper()
	out := map[string]*pkgInfo{}
	fset := token.NewFileSet()
	root := Root()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(rel))
		p := out[dir]
		if p == nil {
			p = &pkgInfo{imports: map[string]bool{}, decls: map[string]bool{}, ints: map[string]bool{}}
			out[dir] = p
		}
		for _, imp := range f.Imports {
			s, _ := strconv.Unquote(imp.Path.Value)
			p.imports[s] = true
		}
		if strings.HasSuffix(path, "_test.go") {
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.INT {
				p.ints[lit.Value] = true
			}
			return true
		})
		for _, decl := range f.Decls {
			switch decl := decl.(type) {
			case *ast.FuncDecl:
				if decl.Recv == nil {
					p.decls[decl.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, spec := range decl.Specs {
					switch spec := spec.(type) {
					case *ast.TypeSpec:
						p.decls[spec.Name.Name] = true
					case *ast.ValueSpec:
						for _, n := range spec.Names {
							p.decls[n.Name] = true
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLayout_ComponentsImportsNoProgramOrCommand(t *testing.T) {
	for imp := range packages(t)["components"].imports {
		if strings.HasPrefix(imp, module+"/cmd/") || imp == module+"/internal/program" || imp == module+"/internal/stackconfig" {
			t.Errorf("components imports %s; the components must not depend on the program or a command", imp)
		}
	}
}

func TestLayout_AwsidIsALeaf(t *testing.T) {
	if _, err := os.Stat(filepath.Join(Root(), "internal", "awsid")); err != nil {
		t.Fatalf("internal/awsid, the AWS identifier rules, is missing: %v", err)
	}
	for imp := range packages(t)["internal/awsid"].imports {
		if strings.HasPrefix(imp, module+"/") && imp != module+"/internal/suggest" {
			t.Errorf("internal/awsid imports %s; it may import no package of this module but internal/suggest", imp)
		}
	}
}

func TestLayout_OnlyListedPackagesImportComponents(t *testing.T) {
	for dir, p := range packages(t) {
		if p.imports[module+"/components"] && !slices.Contains(componentsImporters, dir) {
			t.Errorf("%s imports components; only %s do. Identifier rules are in internal/awsid", dir, strings.Join(componentsImporters, ", "))
		}
	}
}

func TestLayout_IdentifierRulesOnlyInAwsid(t *testing.T) {
	pkgs := packages(t)
	for _, name := range identifierRules {
		var where []string
		for dir, p := range pkgs {
			if p.decls[name] {
				where = append(where, dir)
			}
		}
		slices.Sort(where)
		if !slices.Equal(where, []string{"internal/awsid"}) {
			t.Errorf("%s is defined in %v; it belongs in internal/awsid alone", name, where)
		}
	}
	for dir, p := range pkgs {
		if p.decls["EditDistance"] && dir != "internal/suggest" {
			t.Errorf("%s defines EditDistance; use internal/suggest's", dir)
		}
	}
}

// The deployer policy is written in internal/policy's types and checked against its limit: no
// package keeps a second copy of the grammar or of a limit.
func TestLayout_PolicyGrammarAndLimitsOnlyInPolicy(t *testing.T) {
	pkgs := packages(t)
	for dir, p := range pkgs {
		if dir == "internal/policy" {
			continue
		}
		for _, name := range policyGrammar {
			if p.decls[name] {
				t.Errorf("%s defines %s; use internal/policy's", dir, name)
			}
		}
		for _, n := range policyLimits {
			if p.ints[n] {
				t.Errorf("%s writes the policy size limit %s; use internal/policy's constant", dir, n)
			}
		}
	}
	if pkgs["internal/deployer"].decls["Condition"] {
		t.Errorf("internal/deployer defines Condition; use policy.Conditions")
	}
}
