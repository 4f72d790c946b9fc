package main

import (
	"fmt"
	"io"

	"log-archive/internal/plan"
	"log-archive/internal/program"
)

const limitsUsage = `Usage:
  plan limits --stack NAME [--json] [--dir DIR]

For a destination stack: how many listed source accounts (log-archive:sourceAccountIds) its bucket and key
policies hold with its own bucket name, role pin and options, found by planning it with ever more accounts,
and what each added account costs; then the same in the other log-archive:sourcePrincipals mode
(docs/public-access.md). An organization (log-archive:sourceOrganization) costs a fixed amount, whatever
the number of its accounts, and allows only the default mode.

Flags:
`

// runLimits prints how far a destination stack can grow.
func runLimits(args []string, stdout, stderr io.Writer) int {
	f, code, done := parseStackCommand("plan limits", limitsUsage,
		"print JSON: {stack, listedAccounts, sourcePrincipals, maxListedAccounts, bytesPerAccount, modes: [{sourcePrincipals, maxListedAccounts, bytesPerAccount}]}", args, stdout, stderr)
	if done {
		return code
	}
	limit, err := plan.MaxListedAccounts(f.dir, f.stack, program.Program)
	if err != nil {
		fmt.Fprintf(stderr, "plan limits: stack %s: %v\n", f.stack, err)
		return 1
	}
	if f.json {
		if err := writeJSON(stdout, limit); err != nil {
			fmt.Fprintf(stderr, "plan limits: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stdout, "Stack %s lists %d source accounts; at most %d fit its bucket and key policies (%d bytes each in the bucket policy, the one that binds).\n",
		limit.Stack, limit.Listed, limit.MaxListed, limit.BytesPerAccount)
	for _, m := range limit.Modes[1:] {
		fmt.Fprintf(stdout, "With log-archive:sourcePrincipals: %s instead of %s, at most %d fit (%d bytes each).\n",
			m.SourcePrincipals, limit.SourcePrincipals, m.MaxListed, m.BytesPerAccount)
	}
	return 0
}
