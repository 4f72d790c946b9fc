package reference

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"

	"log-archive/internal/contract"
)

// contractTables is docs/contract.md's tables: each output of either stack with whether readers require
// it, an example, and what it is for (the field's comment).
func contractTables(root string) (string, error) {
	comments, err := fieldComments(filepath.Join(root, "internal", "contract", "outputs.go"))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	table := func(heading, typeName string, fields []contract.Field) error {
		fmt.Fprintf(&b, "### %s\n\n| output | required | example | what it is for |\n| --- | --- | --- | --- |\n", heading)
		for _, f := range fields {
			use := comments[typeName+"."+f.GoName]
			if use == "" {
				return fmt.Errorf("%s.%s (output %s) has no comment saying what it is for", typeName, f.GoName, f.Name)
			}
			required := "yes"
			if !f.Required {
				required = "optional"
			}
			fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s |\n", f.Name, required, cell(f.Example), cell(use))
		}
		return nil
	}
	if err := table("Archive (destination) stack", "ArchiveOutputs", contract.Fields[contract.ArchiveOutputs]()); err != nil {
		return "", err
	}
	b.WriteString("\n")
	if err := table("Source stacks", "SourceOutputs", contract.Fields[contract.SourceOutputs]()); err != nil {
		return "", err
	}
	return b.String(), nil
}

// fieldComments reads the doc comment of every struct field in a Go file, keyed Type.Field, as one line.
func fieldComments(path string) (map[string]string, error) {
	file, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	comments := map[string]string{}
	ast.Inspect(file, func(n ast.Node) bool {
		spec, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		st, ok := spec.Type.(*ast.StructType)
		if !ok {
			return false
		}
		for _, f := range st.Fields.List {
			for _, name := range f.Names {
				comments[spec.Name.Name+"."+name.Name] = strings.Join(strings.Fields(f.Doc.Text()), " ")
			}
		}
		return false
	})
	return comments, nil
}
