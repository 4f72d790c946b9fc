// Command fleet runs log-archive across many stacks and accounts: rollouts of previews and deploys,
// onboarding and offboarding of accounts, and fleet-wide verification. Each subcommand lives in a file of
// its own and registers itself in subcommands (init), so the commands grow without touching this file.
//
// Exit status: 0 on success (and for --help), 1 when the work fails, 2 for a usage error.
package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// subcommand is one `fleet NAME ...` command: it parses its own flags and returns the exit status.
type subcommand struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

var subcommands = map[string]subcommand{}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "help" {
		w := stdout
		code := 0
		if len(args) == 0 {
			w, code = stderr, 2
		}
		fmt.Fprint(w, usage())
		return code
	}
	sub, ok := subcommands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "fleet: unknown command %q\n%s", args[0], usage())
		return 2
	}
	return sub.run(args[1:], stdout, stderr)
}

func usage() string {
	var b strings.Builder
	b.WriteString("Usage: fleet COMMAND [flags]; fleet COMMAND --help for its flags\n\nCommands:\n")
	names := make([]string, 0, len(subcommands))
	for name := range subcommands {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(&b, "  %-10s %s\n", name, subcommands[name].summary)
	}
	return b.String()
}
