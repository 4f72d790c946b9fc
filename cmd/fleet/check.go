package main

import (
	"encoding/json"
	"fmt"
	"io"

	"log-archive/internal/cliflags"
	"log-archive/internal/onboard"
)

func init() {
	subcommands["check"] = cliflags.Subcommand{Summary: "find stack files, .github/stacks.yaml entries, the archive's list and fleet.yaml disagreeing", Run: runCheck}
}

const checkUsage = `Usage:
  fleet check [--strict] [--json] [--dir DIR]

Reads every stack file as the Pulumi CLI does, .github/stacks.yaml, and fleet.yaml when there is one, and
prints each disagreement with its fix: a source stack the archive does not admit, two stacks for one
account, a stacks.yaml entry without a stack file (or a stack file without an entry), a generated stack
file that differs from what fleet.yaml renders, a generated file fleet.yaml no longer lists. Those are
problems: exit 1. An account the archive admits without a source stack is a notice (the normal state
between the archive's deploy and the source's first one): exit 0, or 1 with --strict.

Flags:
`

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := cliflags.New("fleet check", checkUsage, stderr)
	strict := fs.Bool("strict", false, "notices fail the check too")
	asJSON := fs.Bool("json", false, `print JSON: [{"problem","subject","what","fix"}]`)
	dir := fs.String("dir", ".", "the project directory `DIR`")
	if code, done := cliflags.Parse(fs, args, stdout); done {
		return code
	}
	findings, err := onboard.Check(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "fleet check: %v\n", err)
		return 1
	}
	failed := 0
	for _, f := range findings {
		if f.Problem || *strict {
			failed++
		}
	}
	if *asJSON {
		if findings == nil {
			findings = []onboard.Finding{}
		}
		b, _ := json.MarshalIndent(findings, "", "  ")
		fmt.Fprintln(stdout, string(b))
	} else {
		for _, f := range findings {
			fmt.Fprintln(stdout, f)
		}
		fmt.Fprintf(stdout, "%d finding(s), %d failing\n", len(findings), failed)
	}
	if failed > 0 {
		return 1
	}
	return 0
}
