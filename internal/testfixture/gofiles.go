package testfixture

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// GoFile is a parsed non-test Go file of the module.
type GoFile struct {
	Rel  string // its path from the repository root
	File *ast.File
}

// GoFiles parses every non-test Go file of the module (build tags ignored), but those under hidden
// directories, testdata and the directories in skip (paths from the root): the tests that check a fact is
// written in one place read the code through it.
func GoFiles(t testing.TB, skip ...string) (*token.FileSet, []GoFile) {
	t.Helper()
	root, fset := Root(), token.NewFileSet()
	var files []GoFile
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			for _, s := range skip {
				if rel == s {
					return filepath.SkipDir
				}
			}
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
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
		files = append(files, GoFile{Rel: rel, File: f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 50 {
		t.Fatalf("only %d Go files under %s; is the root right?", len(files), root)
	}
	return fset, files
}
