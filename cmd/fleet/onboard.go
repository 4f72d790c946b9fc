package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/pmezard/go-difflib/difflib"

	"log-archive/internal/cliflags"
	"log-archive/internal/onboard"
	"log-archive/internal/program"
)

func init() {
	subcommands["onboard"] = cliflags.Subcommand{Summary: "add accounts (a CSV or JSON list, or AWS Organizations OUs) to fleet.yaml and write their stack files and entries", Run: runOnboard}
}

const onboardUsage = `Usage:
  fleet onboard [--accounts FILE [--management-account ID] | --ou OU[,OU...] [--recursive]]
                [--canary STACK[,...]] [--dry-run] [--dir DIR]

Adds accounts to fleet.yaml, then writes, for every account fleet.yaml lists: its complete
Pulumi.<stack>.yaml (rendered from fleet.yaml's defaults), its .github/stacks.yaml entry (the roles
log-archive-github-deployer and log-archive-github-previewer in that account, wave: canary for --canary),
and its entry in the archive's log-archive:sourceAccountIds (an archive that admits an organization needs
none). Without --accounts or --ou it regenerates every file from fleet.yaml: run it after editing fleet.yaml.

Before writing, every changed stack is loaded as the Pulumi CLI loads it and planned offline with the
program, and .github/stacks.yaml is checked as the workflow matrix is. If anything is wrong, it lists every
problem and writes nothing. Running it again with the same input changes no byte.

--accounts: CSV with a header row (columns account, stack, region, services, guardDutyDetectorId,
trailNames, template, wave, name; services and trailNames separated by spaces or semicolons) or JSON (an
array of objects with those fields). --ou lists ACTIVE accounts with AWS Organizations (credentials of the
management account or a delegated administrator); suspended accounts and the management account are
skipped, with a message. See docs/onboarding.md.

Flags:
`

func runOnboard(args []string, stdout, stderr io.Writer) int {
	fs := cliflags.New("fleet onboard", onboardUsage, stderr)
	accounts := fs.String("accounts", "", "the account list `FILE` (.csv or .json)")
	ous := fs.String("ou", "", "comma-separated AWS Organizations `OU` (or root) IDs whose accounts to onboard")
	recursive := fs.Bool("recursive", false, "with --ou: the accounts of every nested OU too")
	canary := fs.String("canary", "", "comma-separated `STACK`s or account IDs that deploy in the canary wave")
	management := fs.String("management-account", "", "the organization's management account `ID`, refused as a source (--ou finds it itself)")
	dryRun := fs.Bool("dry-run", false, "print what would be written, and write nothing")
	dir := fs.String("dir", ".", "the project directory `DIR`, where Pulumi.yaml and fleet.yaml are")
	if code, done := cliflags.Parse(fs, args, stdout); done {
		return code
	}
	if *accounts != "" && *ous != "" {
		return cliflags.UsageError(fs, "give --accounts or --ou, not both")
	}
	if *recursive && *ous == "" {
		return cliflags.UsageError(fs, "--recursive goes with --ou")
	}
	opts := onboard.Options{Dir: *dir, Canary: splitComma(*canary), ManagementAccount: *management, Program: program.Program}
	switch {
	case *accounts != "":
		data, err := os.ReadFile(*accounts)
		if err != nil {
			fmt.Fprintf(stderr, "fleet onboard: %v\n", err)
			return 1
		}
		if opts.Input, err = onboard.ReadAccounts(*accounts, data); err != nil {
			fmt.Fprintf(stderr, "fleet onboard: %v\n", err)
			return 1
		}
	case *ous != "":
		listing, err := listOUs(splitComma(*ous), *recursive)
		if err != nil {
			fmt.Fprintf(stderr, "fleet onboard: %v\n", err)
			return 1
		}
		listing.SkipArchive(*dir)
		for _, s := range listing.Skipped {
			fmt.Fprintf(stdout, "skipped %s\n", s)
		}
		opts.Input, opts.ManagementAccount = listing.Input, listing.ManagementAccount
	}
	res, err := onboard.Onboard(opts)
	return reportResult("fleet onboard", res, err, *dir, *dryRun, stdout, stderr)
}

// listOUs asks AWS Organizations with the default credential chain. Organizations answers in us-east-1
// whatever Region the profile names.
func listOUs(ous []string, recursive bool) (onboard.Listing, error) {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return onboard.Listing{}, fmt.Errorf("AWS credentials: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return onboard.ListOUs(ctx, organizations.NewFromConfig(cfg), ous, recursive)
}

// reportResult prints a run's notes and changes, and writes them unless dryRun.
func reportResult(name string, res *onboard.Result, err error, dir string, dryRun bool, stdout, stderr io.Writer) int {
	if err != nil {
		var problems onboard.Problems
		if errors.As(err, &problems) {
			fmt.Fprintf(stderr, "%s: %v\n", name, problems)
		} else {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
		}
		return 1
	}
	for _, n := range res.Notes {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	for _, c := range res.Changes {
		fmt.Fprintf(stdout, "%s %s\n", c.Verb(), c.Path)
		if dryRun && c.Verb() != "delete" {
			fmt.Fprint(stdout, changeDiff(c))
		}
	}
	if len(res.Changes) == 0 {
		return 0
	}
	checked := fmt.Sprintf("%d stacks planned offline and .github/stacks.yaml checked", res.Planned)
	if dryRun {
		fmt.Fprintf(stdout, "dry run: %s would be written (%s); nothing was written\n", res.Summary(), checked)
		return 0
	}
	if err := res.Write(dir); err != nil {
		fmt.Fprintf(stderr, "%s: writing: %v\n", name, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s (%s). Review them in one pull request: its offline plan and previews show every stack.\n", res.Summary(), checked)
	return 0
}

// changeDiff is a unified diff of one change, for --dry-run.
func changeDiff(c onboard.Change) string {
	from := "/dev/null"
	if c.Old != nil {
		from = "a/" + c.Path
	}
	text, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(string(c.Old)), B: difflib.SplitLines(string(c.New)),
		FromFile: from, ToFile: "b/" + c.Path, Context: 2,
	})
	return text
}

func splitComma(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
