// Package reference writes the text that is generated from the code into the files people read:
// Pulumi.yaml's config block and docs/configuration.md from internal/stackconfig's KeyTable, and
// docs/contract.md from internal/contract's output structs. Each generated block sits between a BEGIN and
// an END marker; everything outside them is written by hand. `go generate ./...` rewrites the blocks, and
// a test fails, naming that command, when a file drifts from the code.
package reference

//go:generate go run ./gen

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Section is one generated block: the file it sits in, the code it comes from, and its text.
type Section struct {
	File   string // relative to the repository root
	Source string // what to edit instead, named in the markers
	Render func(root string) (string, error)
}

// Sections are every generated block of the repository.
var Sections = []Section{
	{File: "Pulumi.yaml", Source: "internal/stackconfig/keys.go (KeyTable)", Render: projectConfig},
	{File: "docs/configuration.md", Source: "internal/stackconfig/keys.go (KeyTable)", Render: configurationTables},
	{File: "docs/contract.md", Source: "internal/contract/outputs.go", Render: contractTables},
}

// Command is what rewrites the generated blocks.
const Command = "go generate ./..."

// Root is the repository root.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func markers(s Section) (begin, end string) {
	b := "BEGIN generated from " + s.Source + " by " + Command + ": edit that, not this block"
	e := "END generated from " + s.Source
	if strings.HasSuffix(s.File, ".md") {
		return "<!-- " + b + " -->", "<!-- " + e + " -->"
	}
	return "# " + b, "# " + e
}

// Generate is the file's content with its generated block rewritten from the code.
func Generate(root string, s Section) (current, generated []byte, err error) {
	current, err = os.ReadFile(filepath.Join(root, s.File))
	if err != nil {
		return nil, nil, err
	}
	begin, end := markers(s)
	i := bytes.Index(current, []byte(begin+"\n"))
	j := bytes.Index(current, []byte(end+"\n"))
	if i < 0 || j < i {
		return current, nil, fmt.Errorf("%s has no block between the lines %q and %q: put both where the generated text belongs", s.File, begin, end)
	}
	text, err := s.Render(root)
	if err != nil {
		return current, nil, fmt.Errorf("%s: %w", s.File, err)
	}
	var out bytes.Buffer
	out.Write(current[:i+len(begin)+1])
	out.WriteString(text)
	out.Write(current[j:])
	return current, out.Bytes(), nil
}

// Rewrite rewrites every generated block under root.
func Rewrite(root string) error {
	for _, s := range Sections {
		current, generated, err := Generate(root, s)
		if err != nil {
			return err
		}
		if !bytes.Equal(current, generated) {
			if err := os.WriteFile(filepath.Join(root, s.File), generated, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
