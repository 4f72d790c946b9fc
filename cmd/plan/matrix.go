package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"log-archive/internal/cistacks"
)

const matrixUsage = `Usage:
  plan matrix [--kind KIND] [--dir DIR]

Checks .github/stacks.yaml against the stack files, then prints the GitHub Actions matrix
{"include":[{"stack","kind","account","region","role","previewRole","destinationStack"}]} of the stacks of one kind.

Flags:
`

// runMatrix prints the workflow matrix for one kind of stack, after checking .github/stacks.yaml against
// the stack files.
func runMatrix(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("plan matrix", matrixUsage, stderr)
	kind := fs.String("kind", "", "only stacks of `KIND`: "+strings.Join(cistacks.Kinds, " or ")+"; every stack when left out")
	dir := fs.String("dir", ".", "the project directory `DIR`")
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	if err := cistacks.CheckKind(*kind); err != nil {
		return usageError(fs, err.Error())
	}
	if _, err := projectStacks(*dir); err != nil {
		fmt.Fprintf(stderr, "plan matrix: %v\n", err)
		return 1
	}
	stacks, err := cistacks.Load(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "plan matrix: %v\n", err)
		return 1
	}
	b, err := json.Marshal(cistacks.ForKind(stacks, *kind))
	if err != nil {
		fmt.Fprintf(stderr, "plan matrix: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, string(b))
	return 0
}
