package main

import (
	"fmt"
	"io"

	"log-archive/internal/cliflags"
	"log-archive/internal/onboard"
	"log-archive/internal/program"
)

func init() {
	subcommands["offboard"] = cliflags.Subcommand{Summary: "remove destroyed source stacks: their stack files, stacks.yaml and fleet.yaml entries, and the archive's list entry", Run: runOffboard}
}

const offboardUsage = `Usage:
  fleet offboard --stack STACK[,STACK...] --destroyed [--dry-run] [--dir DIR]

The repository half of the offboarding order of docs/deploying.md. First, for each stack, with that account's
credentials: pulumi destroy --stack STACK. That deletes the replication rules and the stack's two roles;
every log bucket, its key and its logs stay in the account, and every replica stays in the archive under
its key and retention. Then this command deletes Pulumi.STACK.yaml, its .github/stacks.yaml entry and its
fleet.yaml entry, and takes the account out of the archive's log-archive:sourceAccountIds (unless another
stack of it remains). Then merge, deploy the archive (its policies stop admitting the account), and
pulumi stack rm STACK.

It never touches AWS, any stack's state, or archived data. Without --destroyed it only says what to do.

Flags:
`

func runOffboard(args []string, stdout, stderr io.Writer) int {
	fs := cliflags.New("fleet offboard", offboardUsage, stderr)
	stacks := fs.String("stack", "", "comma-separated source `STACK`s to offboard")
	destroyed := fs.Bool("destroyed", false, "confirm that pulumi destroy has run for every stack named")
	dryRun := fs.Bool("dry-run", false, "print what would change, and write nothing")
	dir := fs.String("dir", ".", "the project directory `DIR`")
	if code, done := cliflags.Parse(fs, args, stdout); done {
		return code
	}
	names := splitComma(*stacks)
	if len(names) == 0 {
		return cliflags.UsageError(fs, "give --stack STACK")
	}
	res, err := onboard.Offboard(onboard.OffboardOptions{Dir: *dir, Stacks: names, Program: program.Program})
	if err == nil && !*destroyed && !*dryRun {
		fmt.Fprintln(stderr, "fleet offboard: destroy each stack first, with that account's credentials (the archive and its objects stay):")
		for _, n := range names {
			fmt.Fprintf(stderr, "  pulumi destroy --stack %s\n", n)
		}
		fmt.Fprintln(stderr, "then run this command again with --destroyed. Nothing was written.")
		return 1
	}
	code := reportResult("fleet offboard", res, err, *dir, *dryRun, stdout, stderr)
	if code == 0 && !*dryRun {
		fmt.Fprintln(stdout, "Next: merge, deploy the archive (its policies stop admitting the account), then pulumi stack rm for each stack. No bucket, key or archived object was deleted.")
	}
	return code
}
