package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"log-archive/internal/cistacks"
	"log-archive/internal/cliflags"
	"log-archive/internal/rollout"
)

// The rollout's companions in the workflows: the preflight that refuses to deploy through an unprotected
// environment, and the one pull-request comment that sums up every shard's preview.
func init() {
	subcommands["rollout-preflight"] = cliflags.Subcommand{Summary: "fail unless every deploy environment has required reviewers, no self-review, no admin bypass", Run: runRolloutPreflight}
	subcommands["rollout-comment"] = cliflags.Subcommand{Summary: "one pull-request comment from the previews' --json results", Run: runRolloutComment}
}

const rolloutPreflightUsage = `Usage:
  fleet rollout-preflight [--repo OWNER/REPO] [--api-url URL]

Fails unless every deploy environment of the repository has required reviewers, prevents self-review and
binds administrators; reads GitHub's REST API with GITHUB_TOKEN. Exit status: 0 when they do, 1 when one does
not or the API cannot be read, 2 for a usage error.

Flags:
`

const rolloutCommentUsage = `Usage:
  fleet rollout-comment --results DIR [--matrix FILE]... [--more TEXT]

Prints one pull-request comment (Markdown) from the JSON results of fleet rollout --json under DIR. Exit
status: 0 on success, 1 when a result cannot be read, 2 for a usage error.

Flags:
`

func runRolloutPreflight(args []string, stdout, stderr io.Writer) int {
	fs := cliflags.New("fleet rollout-preflight", rolloutPreflightUsage, stderr)
	repo := fs.String("repo", os.Getenv("GITHUB_REPOSITORY"), "the repository `OWNER/REPO`")
	api := fs.String("api-url", cmpOr(os.Getenv("GITHUB_API_URL"), "https://api.github.com"), "GitHub's REST API `URL`")
	if code, done := cliflags.Parse(fs, args, stdout); done {
		return code
	}
	if !strings.Contains(*repo, "/") {
		return cliflags.UsageError(fs, "give --repo OWNER/REPO (GITHUB_REPOSITORY in a workflow)")
	}
	problems, err := rollout.CheckEnvironments(context.Background(), http.DefaultClient, *api, *repo, os.Getenv("GITHUB_TOKEN"), cistacks.DeployEnvironments)
	if err != nil {
		fmt.Fprintf(stderr, "fleet rollout-preflight: %v\n", err)
		return 1
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "fleet rollout-preflight: the deploy waves are not gated; nothing is deployed until these are fixed:\n")
		for _, p := range problems {
			fmt.Fprintf(stderr, "  - %s\n", p)
		}
		return 1
	}
	fmt.Fprintf(stdout, "every deploy environment (%s) has required reviewers, prevents self-review and binds administrators\n", strings.Join(cistacks.DeployEnvironments, ", "))
	return 0
}

func runRolloutComment(args []string, stdout, stderr io.Writer) int {
	fs := cliflags.New("fleet rollout-comment", rolloutCommentUsage, stderr)
	dir := fs.String("results", "", "a `DIR` holding the JSON files of fleet rollout --json, at any depth")
	more := fs.String("more", "The whole previews are in the job summaries and logs of this run.", "the closing line: where the whole `TEXT` is")
	var matrices stringList
	fs.Var(&matrices, "matrix", "a `FILE` holding a plan matrix the previews ran (repeatable): a selected stack with no result is reported as failed")
	if code, done := cliflags.Parse(fs, args, stdout); done {
		return code
	}
	if *dir == "" {
		return cliflags.UsageError(fs, "give --results DIR")
	}
	var results []rollout.Result
	err := filepath.WalkDir(*dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".json" {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var sum rollout.Summary
		if err := json.Unmarshal(b, &sum); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		results = append(results, sum.Results...)
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "fleet rollout-comment: %v\n", err)
		return 1
	}
	missing, err := unpreviewed(matrices, results)
	if err != nil {
		fmt.Fprintf(stderr, "fleet rollout-comment: %v\n", err)
		return 1
	}
	fmt.Fprint(stdout, rollout.ReviewComment(append(results, missing...), *more))
	return 0
}

// unpreviewed is a failed result for every stack the matrices selected that no result file covers: a
// shard whose job failed before its preview ran must not vanish from the comment.
func unpreviewed(matrices []string, results []rollout.Result) ([]rollout.Result, error) {
	have := map[string]bool{}
	for _, r := range results {
		have[r.Stack] = true
	}
	var out []rollout.Result
	for _, file := range matrices {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		var m cistacks.ShardMatrix
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		for _, sh := range m.Include {
			for _, name := range strings.Split(sh.Stacks, ",") {
				if name != "" && !have[name] {
					have[name] = true
					out = append(out, rollout.Result{Stack: name, Status: rollout.StatusFailed,
						Error: fmt.Sprintf("not previewed: the job of shard %s ended before its preview did; see its log", sh.Shard)})
				}
			}
		}
	}
	return out, nil
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
