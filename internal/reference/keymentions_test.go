package reference_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"log-archive/internal/stackconfig"
	"log-archive/internal/testfixture"
)

// mention is a config key of the program's namespace as a message or a page names it.
var mention = regexp.MustCompile(`log-archive:([A-Za-z]+)\b`)

// Not keys: the namespace's component type tokens and the markers of the pull-request comments.
var notKeys = map[string]bool{"index": true, "pulumi": true, "offline": true}

// Every key a message, a document or a stack file names is one KeyTable declares: keys are declared once, and
// a renamed key cannot leave an error message or a page telling users to set a key that no longer exists.
func TestEveryMentionedKeyIsDeclared(t *testing.T) {
	declared := map[string]bool{}
	for _, d := range stackconfig.KeyTable {
		declared[d.Key] = true
	}
	root := testfixture.Root()
	check := func(where, text string) {
		for _, m := range mention.FindAllStringSubmatch(text, -1) {
			if !notKeys[m[1]] && !declared[m[0]] {
				t.Errorf("%s names %s, which internal/stackconfig's KeyTable does not declare", where, m[0])
			}
		}
	}
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel != "." && strings.HasPrefix(d.Name(), ".") && d.Name() != ".github" {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go"):
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			files++
			ast.Inspect(f, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil {
						check(fset.Position(lit.Pos()).String(), s)
					}
				}
				return true
			})
		case strings.HasSuffix(path, ".md") || strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml"):
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files++
			for i, line := range strings.Split(string(b), "\n") {
				check(rel+":"+strconv.Itoa(i+1), line)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("only %d files checked; is the root %s right?", files, root)
	}
}
