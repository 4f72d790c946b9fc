package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"log-archive/internal/plan"
	"log-archive/internal/program"
)

const limitsUsage = `Usage:
  plan limits --stack NAME [--json] [--dir DIR]

For a destination stack: how many listed source accounts (log-archive:sourceAccountIds) its bucket and key
policies hold with its own bucket name, role pin and options, found by planning it with ever more accounts,
and what each added account costs. An organization (log-archive:sourceOrganization) costs a fixed amount,
whatever the number of its accounts.

Flags:
`

// runLimits prints how far a destination stack can grow.
func runLimits(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("plan limits", limitsUsage, stderr)
	stack := fs.String("stack", "", "the destination stack file Pulumi.`NAME`.yaml")
	asJSON := fs.Bool("json", false, "print JSON: {stack, listedAccounts, maxListedAccounts, bytesPerAccount}")
	dir := fs.String("dir", ".", "the project directory `DIR`, where Pulumi.yaml is")
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	if *stack == "" {
		return usageError(fs, "give --stack NAME")
	}
	known, err := projectStacks(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "plan limits: %v\n", err)
		return 1
	}
	if !slices.Contains(known, *stack) {
		fmt.Fprintf(stderr, "plan limits: no stack %q: %s has no Pulumi.%s.yaml; the stacks are: %s\n", *stack, *dir, *stack, strings.Join(known, ", "))
		return 2
	}
	limit, err := plan.MaxListedAccounts(*dir, *stack, program.Program)
	if err != nil {
		fmt.Fprintf(stderr, "plan limits: stack %s: %v\n", *stack, err)
		return 1
	}
	if *asJSON {
		if err := writeJSON(stdout, limit); err != nil {
			fmt.Fprintf(stderr, "plan limits: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stdout, "Stack %s lists %d source accounts; at most %d fit its bucket and key policies (%d bytes each in the bucket policy, the one that binds).\n",
		limit.Stack, limit.Listed, limit.MaxListed, limit.BytesPerAccount)
	return 0
}
