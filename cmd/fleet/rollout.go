package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"log-archive/internal/cistacks"
	"log-archive/internal/cliflags"
	"log-archive/internal/program"
	"log-archive/internal/rollout"
)

func init() {
	subcommands["rollout"] = cliflags.Subcommand{Summary: "pulumi preview or up over many stacks: waves, concurrency, failure tolerance", Run: runRollout}
}

const rolloutUsage = `Usage:
  fleet rollout --op preview|up (--stacks a,b,c | --stacks-file FILE | --all) [flags]

Runs pulumi preview or pulumi up over the stacks through the Pulumi Automation API, against the backend
the environment logs in to (PULUMI_BACKEND_URL, or pulumi login). The archive runs first, alone; with
--waves the sources whose .github/stacks.yaml entry says wave: canary run next, then the rest. At most
--concurrency stacks run at once; once more stacks have failed than --failure-tolerance allows, no new
stack starts and later waves are skipped. A line per stack as it starts and ends, then a summary table.

A stack missing from the backend is an error (a wrong backend or organization must not start an empty
stack that creates everything again), unless its stack file is new since --new-since REV: then up creates
it, and preview reports it as new.

Exit status: 0 when every stack ran and no more failed than tolerated, 1 otherwise, 2 for a usage error.

Flags:
`

// rolloutRequest is a checked fleet rollout command line.
type rolloutRequest struct {
	opts       rollout.Options
	assumeRole rollout.RoleKind
	jsonOut    string
}

// parseRollout reads the flags and checks them, the stacks against the project, running nothing: every
// mistake is a usage error (exit 2) before any stack starts.
func parseRollout(args []string, stdout, stderr io.Writer) (req rolloutRequest, code int, done bool) {
	fs := cliflags.New("fleet rollout", rolloutUsage, stderr)
	op := fs.String("op", "", "the operation `OP`: preview or up")
	stacks := fs.String("stacks", "", "comma-separated stack `NAMES`")
	stacksFile := fs.String("stacks-file", "", "a `FILE` with one stack name per line")
	all := fs.Bool("all", false, "every stack in .github/stacks.yaml (the drift check)")
	concurrency := fs.Int("concurrency", 4, "run at most `N` stacks at once")
	tolerance := fs.String("failure-tolerance", "0", "tolerate `N` failed stacks, or N% of them, before stopping")
	waves := fs.Bool("waves", false, "run the canary wave (wave: canary in .github/stacks.yaml) before the other sources")
	expectNoChanges := fs.Bool("expect-no-changes", false, "a preview that finds changes fails (the drift check)")
	refresh := fs.Bool("refresh", false, "read every resource from AWS first, so changes made outside Pulumi show (pulumi preview --refresh)")
	newSince := fs.String("new-since", "", "a stack missing from the backend may be created when its stack file is new since git `REV`")
	assumeRole := fs.String("assume-role", "", "`ROLE`: deploy or preview; give each stack's Pulumi process its own account's role from .github/stacks.yaml, through GitHub's OIDC token (GitHub Actions only)")
	jsonOut := fs.String("json", "", "also write every stack's result, diff included, as JSON to `FILE`")
	dir := fs.String("dir", ".", "the project directory `DIR`")
	if code, done := cliflags.Parse(fs, args, stdout); done {
		return req, code, true
	}
	usage := func(msg string) (rolloutRequest, int, bool) { return req, cliflags.UsageError(fs, msg), true }
	names, err := stackList(*stacks, *stacksFile, *all, *dir)
	if err != nil {
		return usage(err.Error())
	}
	tol, err := rollout.ParseTolerance(*tolerance)
	if err != nil {
		return usage(err.Error())
	}
	req.opts = rollout.Options{
		Dir: *dir, Op: rollout.Op(*op), Stacks: names, Concurrency: *concurrency, Tolerance: tol, Waves: *waves,
		ExpectNoChanges: *expectNoChanges, Refresh: *refresh, NewSince: *newSince, Program: program.Run, Progress: stderr,
	}
	switch req.assumeRole = rollout.RoleKind(*assumeRole); req.assumeRole {
	case "", rollout.DeployRole, rollout.PreviewRole:
	default:
		return usage(fmt.Sprintf("--assume-role %q: give deploy or preview, or leave it out to use your own credentials", *assumeRole))
	}
	if err := req.opts.Check(); err != nil {
		return usage(err.Error())
	}
	req.jsonOut = *jsonOut
	return req, 0, false
}

func runRollout(args []string, stdout, stderr io.Writer) int {
	req, code, done := parseRollout(args, stdout, stderr)
	if done {
		return code
	}
	opts, jsonOut := req.opts, req.jsonOut
	if req.assumeRole != "" {
		tokens, err := os.MkdirTemp("", "rollout-oidc-")
		if err != nil {
			fmt.Fprintf(stderr, "fleet rollout: %v\n", err)
			return 1
		}
		defer os.RemoveAll(tokens)
		opts.StackEnv = rollout.WebIdentity{Kind: req.assumeRole, Dir: tokens, Session: "log-archive-" + string(opts.Op)}.Env
	}

	// The first Ctrl-C starts no new stack and lets the running ones finish; a second one interrupts them.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	sum, err := rollout.Run(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "fleet rollout: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout)
	if err := sum.WriteTable(stdout); err != nil {
		fmt.Fprintf(stderr, "fleet rollout: %v\n", err)
		return 1
	}
	if jsonOut != "" {
		b, err := json.MarshalIndent(sum, "", "  ")
		if err == nil {
			err = os.WriteFile(jsonOut, b, 0o644)
		}
		if err != nil {
			fmt.Fprintf(stderr, "fleet rollout: --json: %v\n", err)
			return 1
		}
	}
	if !sum.OK() {
		return 1
	}
	return 0
}

// stackList reads --stacks, --stacks-file (one name per line; blank lines and # comments skipped) or
// --all (every stack in .github/stacks.yaml); exactly one of them.
func stackList(list, file string, all bool, dir string) ([]string, error) {
	given := 0
	for _, g := range []bool{list != "", file != "", all} {
		if g {
			given++
		}
	}
	if given != 1 {
		return nil, errors.New("give one of --stacks a,b,c, --stacks-file FILE or --all")
	}
	if all {
		stacks, err := cistacks.Load(dir)
		if err != nil {
			return nil, fmt.Errorf("--all: %w", err)
		}
		names := make([]string, len(stacks))
		for i, s := range stacks {
			names[i] = s.Stack
		}
		return names, nil
	}
	var names []string
	if list != "" {
		for _, n := range strings.Split(list, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
		return names, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("--stacks-file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if n := strings.TrimSpace(sc.Text()); n != "" && !strings.HasPrefix(n, "#") {
			names = append(names, n)
		}
	}
	return names, sc.Err()
}
