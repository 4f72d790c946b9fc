package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"log-archive/internal/cliflags"
	"log-archive/internal/plan"
)

const diffUsage = `Usage:
  plan diff --against REV [--dir DIR]
      review the working tree (uncommitted and untracked stack files included) against the merge base of
      REV and HEAD, each planned with its own code; REV is usually main or origin/main
  plan diff --base FILE --head FILE
      review two ` + "`plan --all --json`" + ` files (the pull-request workflow)
  plan diff --base FILE --head-error FILE [--rendered-by-base]
      the comment for a head that does not build or plan

The review text is Markdown, printed on stdout.

Flags:
`

// runDiff prints the pull-request review text.
func runDiff(args []string, stdout, stderr io.Writer) int {
	fs := cliflags.New("plan diff", diffUsage, stderr)
	against := fs.String("against", "", "compare with the merge base of `REV` and HEAD, planned in a temporary git worktree")
	dir := fs.String("dir", ".", "with --against: the project directory `DIR`")
	basePath := fs.String("base", "", "the base's plan JSON `FILE`; a missing file means the base has no stacks")
	headPath := fs.String("head", "", "the head's plan JSON `FILE`")
	headErrPath := fs.String("head-error", "", "a `FILE` holding why the head failed to build or plan, instead of --head")
	byBase := fs.Bool("rendered-by-base", false, "with --head-error: say that the base's plan tool wrote the comment")
	if code, done := cliflags.Parse(fs, args, stdout); done {
		return code
	}
	switch {
	case *against != "":
		if *basePath != "" || *headPath != "" || *headErrPath != "" {
			return cliflags.UsageError(fs, "give --against alone, or --base with --head or --head-error")
		}
		return diffAgainst(*dir, *against, stdout, stderr)
	case *basePath == "" || (*headPath == "") == (*headErrPath == ""):
		return cliflags.UsageError(fs, "give --against REV, or --base with one of --head or --head-error")
	}
	if *headErrPath != "" {
		msg, err := os.ReadFile(*headErrPath)
		if err != nil {
			fmt.Fprintf(stderr, "plan diff: %v\n", err)
			return 1
		}
		fmt.Fprint(stdout, plan.HeadFailedMarkdown(string(msg), *byBase))
		return 0
	}
	base, err := readStacks(*basePath, true)
	if err == nil {
		var head plan.Stacks
		if head, err = readStacks(*headPath, false); err == nil {
			fmt.Fprint(stdout, plan.ReviewMarkdown(plan.DiffStacks(base, head)))
			return 0
		}
	}
	fmt.Fprintf(stderr, "plan diff: %v\n", err)
	return 1
}

func readStacks(path string, missingOK bool) (plan.Stacks, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && missingOK {
		return plan.Stacks{Stacks: map[string]*plan.Plan{}}, nil
	}
	if err != nil {
		return plan.Stacks{}, err
	}
	return plan.ReadStacks(data)
}
