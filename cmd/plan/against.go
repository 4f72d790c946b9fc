package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"log-archive/internal/plan"
)

// diffAgainst reviews the working tree in dir against the merge base of rev and HEAD: what this branch
// changes, not what the other branch changed since they parted (an account main added after the branch was
// cut is in neither side, so it is not shown as removed). On a merge commit, such as a pull request's merge
// ref, with rev = HEAD^1 the merge base is HEAD^1 itself: the merge result against main as it is.
//
// The base is planned with its own code in a temporary git worktree, which leaves the working tree, the
// index and the stash alone; the head is the working tree as it is, uncommitted and untracked stack files
// included.
func diffAgainst(dir, rev string, stdout, stderr io.Writer) int {
	if _, err := projectStacks(dir); err != nil {
		fmt.Fprintf(stderr, "plan diff: %v\n", err)
		return 1
	}
	base, err := planMergeBase(dir, rev, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "plan diff: %v\n", err)
		return 1
	}
	names, _ := plan.StackNames(dir)
	head, err := planStacks(dir, names)
	if err != nil {
		fmt.Fprint(stdout, plan.HeadFailedMarkdown(err.Error(), false))
		fmt.Fprintf(stderr, "plan diff: the working tree does not plan: %v\n", err)
		return 1
	}
	fmt.Fprint(stdout, plan.ReviewMarkdown(plan.DiffStacks(base, plan.Stacks{Stacks: head})))
	return 0
}

// planMergeBase plans every stack of the merge base of rev and HEAD, in a temporary worktree that it
// removes again. A base that does not plan counts as having no stacks, as in the workflow.
func planMergeBase(dir, rev string, stderr io.Writer) (plan.Stacks, error) {
	var out []byte
	err := inMergeBase(dir, rev, stderr, func(baseDir string) error {
		var err error
		if out, err = planWithOwnCode(baseDir, "--all"); err != nil {
			fmt.Fprintf(stderr, "plan diff: the base does not plan; every stack is shown as new: %v\n", err)
			out = nil
		}
		return nil
	})
	if err != nil {
		return plan.Stacks{}, err
	}
	if out == nil {
		return plan.Stacks{Stacks: map[string]*plan.Plan{}}, nil
	}
	return plan.ReadStacks(out)
}

// inMergeBase checks out the merge base of rev and HEAD in a temporary git worktree, runs fn on the
// project directory there (dir's place in the checkout), and removes the worktree again. It leaves the
// working tree, the index and the stash alone.
func inMergeBase(dir, rev string, stderr io.Writer, fn func(baseDir string) error) error {
	top, err := git(dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return err
	}
	base, err := mergeBase(dir, rev)
	if err != nil {
		return err
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	// Both resolved, so a symlinked temporary directory or checkout does not make the path relative to "..".
	realTop, _ := filepath.EvalSymlinks(top)
	realDir, _ := filepath.EvalSymlinks(absDir)
	rel, err := filepath.Rel(realTop, realDir)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "plan-base-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	worktree := filepath.Join(tmp, "base")
	if _, err := git(dir, "worktree", "add", "--detach", worktree, base); err != nil {
		return err
	}
	defer func() {
		if _, err := git(dir, "worktree", "remove", "--force", worktree); err != nil {
			fmt.Fprintf(stderr, "plan: %v\n", err)
		}
	}()
	fmt.Fprintf(stderr, "plan: base is %s (merge base of %s and HEAD)\n", base[:min(12, len(base))], rev)
	return fn(filepath.Join(worktree, rel))
}

// mergeBase is the commit where HEAD parted from rev; on a pull request's merge commit with rev = HEAD^1,
// HEAD^1 itself.
func mergeBase(dir, rev string) (string, error) {
	base, err := git(dir, "merge-base", rev, "HEAD")
	if err != nil {
		return "", fmt.Errorf("no merge base of %s and HEAD: %w", rev, err)
	}
	return base, nil
}

// planWithOwnCode runs the plan tool of the checkout in dir on that checkout: a base must be planned by
// the base's program, or a change to the components would not show. A variable so tests can plan in
// process instead of compiling the base. args choose the stacks: "--all", or "--stack", NAME, flags every
// version of the plan tool has.
var planWithOwnCode = func(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("go", append(append([]string{"run", "./cmd/plan"}, args...), "--json")...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}
