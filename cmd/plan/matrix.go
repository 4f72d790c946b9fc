package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"log-archive/internal/cistacks"
	"log-archive/internal/cliflags"
	"log-archive/internal/plan"
	"log-archive/internal/program"
)

const matrixUsage = `Usage:
  plan matrix [--kind KIND] [--wave WAVE] [--changed-since REV] [--max-jobs N] [--dir DIR]

Checks .github/stacks.yaml against the stack files, selects stacks, and prints a GitHub Actions matrix of
shards: {"include":[{"shard","wave","environment","stacks","count","accounts","account","region","role",
"previewRole","why"}]}. A shard holds whole accounts' stacks ("stacks" is comma-separated, for
fleet rollout --stacks; "why" says why each was selected); there are never more than --max-jobs shards
(GitHub runs at most 256 jobs per matrix).

Without --changed-since every stack is selected. With it, the stacks the change since the merge base of
REV and HEAD affects (the working tree, uncommitted files included): a stack file selects its stack;
Pulumi.yaml, go.mod, go.sum or any Go file selects every stack; an archive's stack file selects the
archive, and its sources when the contract outputs they read change (the offline plans of the archive at
the merge base, with its own code, and in the working tree say which).

Flags:
`

// runMatrix prints the workflow matrix of the selected stacks, after checking .github/stacks.yaml against
// the stack files.
func runMatrix(args []string, stdout, stderr io.Writer) int {
	fs := cliflags.New("plan matrix", matrixUsage, stderr)
	kind := fs.String("kind", "", "only stacks of `KIND`: "+strings.Join(cistacks.Kinds, " or ")+"; every stack when left out")
	wave := fs.String("wave", "", "only the deploy wave `WAVE`: "+strings.Join(waves, ", ")+"; names the shards' GitHub environment")
	since := fs.String("changed-since", "", "only the stacks the changes since the merge base of `REV` and HEAD affect")
	maxJobs := fs.Int("max-jobs", cistacks.MaxMatrixJobs, "at most `N` shards (GitHub's limit is 256 jobs per matrix)")
	dir := fs.String("dir", ".", "the project directory `DIR`")
	if code, done := cliflags.Parse(fs, args, stdout); done {
		return code
	}
	if err := cistacks.CheckKind(*kind); err != nil {
		return cliflags.UsageError(fs, err.Error())
	}
	if *wave != "" && !slices.Contains(waves, *wave) {
		return cliflags.UsageError(fs, fmt.Sprintf("unknown wave %q; give %s, or leave --wave out", *wave, strings.Join(waves, ", ")))
	}
	if *maxJobs < 1 || *maxJobs > cistacks.MaxMatrixJobs {
		return cliflags.UsageError(fs, fmt.Sprintf("--max-jobs %d: give 1 to %d", *maxJobs, cistacks.MaxMatrixJobs))
	}
	m, err := matrix(*dir, *kind, *wave, *since, *maxJobs, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "plan matrix: %v\n", err)
		return 1
	}
	b, err := json.Marshal(m)
	if err != nil {
		fmt.Fprintf(stderr, "plan matrix: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, string(b))
	return 0
}

var waves = []string{cistacks.WaveDestination, cistacks.WaveCanary, cistacks.WaveSources}

func matrix(dir, kind, wave, since string, maxJobs int, stderr io.Writer) (cistacks.ShardMatrix, error) {
	if _, err := projectStacks(dir); err != nil {
		return cistacks.ShardMatrix{}, err
	}
	stacks, err := cistacks.Load(dir)
	if err != nil {
		return cistacks.ShardMatrix{}, err
	}
	selected := cistacks.All(stacks)
	if since != "" {
		change, err := changeSince(dir, since, stderr)
		if err != nil {
			return cistacks.ShardMatrix{}, err
		}
		if selected, err = cistacks.Select(stacks, change); err != nil {
			return cistacks.ShardMatrix{}, err
		}
	}
	var kept []cistacks.Selected
	for _, s := range selected {
		if (kind == "" || s.Kind == kind) && (wave == "" || cistacks.WaveOf(s.Stack) == wave) {
			kept = append(kept, s)
		}
	}
	prefix := cmpOr(wave, kind, "stacks")
	m := cistacks.Shards(kept, prefix, wave, maxJobs)
	fmt.Fprintf(stderr, "plan matrix: %d of %d stacks selected, in %d shards\n", len(kept), len(stacks), len(m.Include))
	return m, nil
}

func cmpOr(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// changeSince is what changed between the merge base of rev and HEAD and the working tree.
func changeSince(dir, rev string, stderr io.Writer) (cistacks.Change, error) {
	base, err := mergeBase(dir, rev)
	if err != nil {
		return cistacks.Change{}, err
	}
	// --no-renames: a renamed stack file is a removed stack and a new one.
	changed, err := git(dir, "diff", "--name-only", "--no-renames", "--relative", base, "--", ".")
	if err != nil {
		return cistacks.Change{}, err
	}
	untracked, err := git(dir, "ls-files", "--others", "--exclude-standard")
	if err != nil {
		return cistacks.Change{}, err
	}
	change := cistacks.Change{Files: strings.Fields(changed + "\n" + untracked)}
	if old, err := git(dir, "show", base+":./"+cistacks.File); err == nil {
		var doc struct {
			Stacks map[string]cistacks.Stack `yaml:"stacks"`
		}
		if yaml.Unmarshal([]byte(old), &doc) == nil {
			change.BaseEntries = doc.Stacks
		}
	}
	change.Archive = func(stack string) (cistacks.ArchiveChange, error) {
		return archiveChange(dir, rev, base, stack, stderr)
	}
	return change, nil
}

// archiveChange compares the archive's contract outputs in its offline plans at the merge base (planned
// by the base's own code, in a worktree) and in the working tree.
func archiveChange(dir, rev, base, stack string, stderr io.Writer) (cistacks.ArchiveChange, error) {
	if _, err := git(dir, "cat-file", "-e", base+":./Pulumi."+stack+".yaml"); err != nil {
		return cistacks.ArchiveChange{New: true}, nil
	}
	head, err := plan.PlanStack(dir, stack, program.Program)
	if err != nil {
		return cistacks.ArchiveChange{}, fmt.Errorf("the working tree's %s does not plan: %w", stack, err)
	}
	var was plan.Plan
	err = inMergeBase(dir, rev, stderr, func(baseDir string) error {
		out, err := planWithOwnCode(baseDir, "--stack", stack)
		if err != nil {
			return errors.Join(errBaseDoesNotPlan, err)
		}
		return json.Unmarshal(out, &was)
	})
	if errors.Is(err, errBaseDoesNotPlan) {
		// Nothing to compare with: every output counts as changed, so every source is previewed.
		fmt.Fprintf(stderr, "plan matrix: the base's %s does not plan; selecting all its sources: %v\n", stack, err)
		return cistacks.ArchiveChange{Outputs: []string{"(the base does not plan)"}}, nil
	}
	if err != nil {
		return cistacks.ArchiveChange{}, err
	}
	return cistacks.CompareContract(was.Outputs, head.Outputs), nil
}

var errBaseDoesNotPlan = errors.New("the base does not plan")
