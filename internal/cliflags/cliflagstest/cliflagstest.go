// Package cliflagstest checks a command against the conventions of internal/cliflags: --help prints the
// usage on stdout and exits 0, a usage error prints the error and the synopsis on stderr and exits 2, a run
// failure exits 1.
package cliflagstest

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Case is one run of a command and what it must do.
type Case struct {
	Name string
	Args []string
	Code int // cliflags.ExitOK, ExitFail or ExitUsage
	// Stdout and Stderr are texts the output must contain.
	Stdout, Stderr []string
}

// Run runs each case through run as a subtest. Beyond the case's own expectations, it checks the convention
// of its exit status: 0 with --help or -h: the usage on stdout and nothing on stderr; 2: "Usage:" on stderr
// and nothing on stdout; 1: a message (on stderr, or a report on stdout).
func Run(t *testing.T, run func(args []string, stdout, stderr io.Writer) int, cases []Case) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(c.Args, &stdout, &stderr)
			out, errOut := stdout.String(), stderr.String()
			assert.Equal(t, c.Code, code, "%v\nstdout:\n%s\nstderr:\n%s", c.Args, out, errOut)
			for _, want := range c.Stdout {
				assert.Contains(t, out, want, "stdout of %v", c.Args)
			}
			for _, want := range c.Stderr {
				assert.Contains(t, errOut, want, "stderr of %v", c.Args)
			}
			switch code {
			case 0:
				if isHelp(c.Args) {
					assert.True(t, strings.HasPrefix(out, "Usage:"), "%v: the usage goes to stdout, beginning with Usage:, got\n%s", c.Args, out)
					assert.Empty(t, errOut, "%v: help writes nothing on stderr", c.Args)
					for _, problem := range ValueNameProblems(out) {
						t.Errorf("%v: %s", c.Args, problem)
					}
				}
			case 2:
				assert.Contains(t, errOut, "Usage:", "%v: a usage error prints the synopsis", c.Args)
				assert.Empty(t, out, "%v: a usage error writes nothing on stdout", c.Args)
			case 1:
				assert.NotEmpty(t, errOut+out, "%v: a failure says why", c.Args)
			}
		})
	}
}

func isHelp(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" || a == "help" {
			return true
		}
	}
	return false
}

// valueName is what a flag's value may be called in --help: an upper-case word such as DIR, N, OWNER/REPO
// or BUCKET=PREFIX.
var valueName = regexp.MustCompile(`^[A-Z][A-Z0-9_]*([/=][A-Z][A-Z0-9_]*)*$`)

// ValueNameProblems reads the flag lines of a --help text ("  -name VALUE", as package flag prints them after
// "Flags:") and returns one line per flag whose value name is not an upper-case word, and per flag whose
// description still holds a backquote. Package flag names a flag's value by the first backquoted word of its
// usage, else by its type (string, int, duration), so `pulumi stack output --json` in a usage
// would print as "-outputs-dir pulumi stack output --json".
func ValueNameProblems(help string) []string {
	_, flags, ok := strings.Cut(help, "\nFlags:\n")
	if !ok {
		return nil
	}
	var problems []string
	for _, line := range strings.Split(flags, "\n") {
		if strings.Contains(line, "`") {
			problems = append(problems, fmt.Sprintf("a backquote in %q: only a flag's value name is backquoted in its usage", strings.TrimSpace(line)))
		}
		if !strings.HasPrefix(line, "  -") {
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(line, "  "), " ")
		if hasValue && !valueName.MatchString(value) {
			problems = append(problems, fmt.Sprintf("%s %s: the value name is not an upper-case word; backquote it in the flag's usage (`DIR`, `N`, ...)", name, value))
		}
	}
	return problems
}
