// Command fleet runs log-archive across many stacks and accounts: rollouts of previews and deploys,
// onboarding and offboarding of accounts, and fleet-wide verification. Each subcommand lives in a file of
// its own and registers itself in subcommands (init), so the commands grow without touching this file.
//
// Exit status: 0 on success (and for --help), 1 when the work fails, 2 for a usage error.
package main

import (
	"io"
	"maps"
	"os"
	"slices"

	"log-archive/internal/cliflags"
)

// subcommands are the `fleet NAME ...` commands, by name; each parses its own flags (internal/cliflags).
var subcommands = map[string]cliflags.Subcommand{}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	var subs []cliflags.Subcommand
	for _, name := range slices.Sorted(maps.Keys(subcommands)) {
		sub := subcommands[name]
		sub.Name = name
		subs = append(subs, sub)
	}
	return cliflags.Commands("fleet", subs, args, stdout, stderr)
}
