package rollout

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// CommentMarker starts the one pull-request comment the preview workflow writes and then edits in place.
const CommentMarker = "<!-- log-archive:pulumi-preview -->"

// MaxCommentChars is GitHub's limit on an issue or pull-request comment body (GH5). The composer counts
// bytes, which are never fewer than characters.
const MaxCommentChars = 65536

// maxDiffChars caps one stack's diff in the comment, so one huge stack cannot crowd out the others.
const maxDiffChars = 12000

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

// ReviewComment sums up the previews of every shard in one comment: totals of creates, updates,
// replacements and deletes; the steps on protected resources first (the archive's bucket and key are
// protected: a replace or delete of them fails at deploy); the failed stacks; a row per changed stack;
// then each changed stack's diff folded under its name. It stays within GitHub's comment size: what does
// not fit is counted, and more points to where the whole text is (the job summary, an artifact).
func ReviewComment(results []Result, more string) string {
	results = slices.Clone(results)
	slices.SortFunc(results, func(a, b Result) int {
		return cmp.Or(-cmp.Compare(len(a.ProtectedSteps()), len(b.ProtectedSteps())), cmp.Compare(a.Stack, b.Stack))
	})
	var changed, failed []Result
	var news int
	totals := map[string]int{}
	for _, r := range results {
		if r.Status == StatusNew {
			news++
		}
		for op, n := range r.Changes {
			totals[op] += n
		}
		switch {
		case r.Status == StatusFailed:
			failed = append(failed, r)
		case r.Changed():
			changed = append(changed, r)
		}
	}

	var b strings.Builder
	b.WriteString(CommentMarker + "\n")
	fmt.Fprintf(&b, "### Pulumi preview: %d stacks, %d with changes, %d failed\n\n", len(results), len(changed), len(failed))
	b.WriteString("| | create | update | replace | delete |\n|---|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| **all stacks** | %d | %d | %d | %d |\n\n", totals["create"], totals["update"], totals["replace"], totals["delete"])
	for _, r := range results {
		if r.Status == StatusNew {
			fmt.Fprintf(&b, "- `%s` is new: the deploy creates it (the offline plan comment shows what it creates).\n", r.Stack)
		}
	}

	// Closing text every comment ends with; reserved before anything optional is written.
	footer := "\n" + more + "\n"
	budget := func() int { return MaxCommentChars - b.Len() - len(footer) - 200 }
	var cut int
	section := func(title, header string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s\n\n%s", title, header)
		for i, l := range lines {
			if len(l)+1 > budget() {
				cut += len(lines) - i
				fmt.Fprintf(&b, "- … and %d more\n", len(lines)-i)
				return
			}
			b.WriteString(l + "\n")
		}
	}

	var protected []string
	for _, r := range results {
		for _, s := range r.ProtectedSteps() {
			protected = append(protected, fmt.Sprintf("- `%s`: **%s** of the protected `%s` (`%s`)", r.Stack, s.Op, s.Type, s.URN))
		}
	}
	section("#### ⚠️ Protected resources that would change (a replace or delete of one fails at deploy)", "", protected)
	var failures []string
	for _, r := range failed {
		failures = append(failures, fmt.Sprintf("- `%s`: %s", r.Stack, oneLine(r.Error)))
	}
	section("#### Failed previews", "", failures)
	var rows []string
	for _, r := range changed {
		c := r.Changes
		rows = append(rows, fmt.Sprintf("| `%s` | %d | %d | %d | %d |", r.Stack, c["create"], c["update"], c["replace"], c["delete"]))
	}
	section("#### Stacks with changes", "| stack | create | update | replace | delete |\n|---|---:|---:|---:|---:|\n", rows)
	if n := len(results) - len(changed) - len(failed) - news; n > 0 {
		fmt.Fprintf(&b, "\n%d stacks have no changes.\n", n)
	}

	// The diffs: stacks with protected changes first (results are sorted so), then failures, then the rest.
	var shown []Result
	for _, group := range [][]Result{protectedOnly(changed), failed, withoutProtected(changed)} {
		shown = append(shown, group...)
	}
	var omitted int
	for i, r := range shown {
		detail := stackDetail(r)
		if len(detail) > budget() {
			omitted = len(shown) - i
			break
		}
		b.WriteString(detail)
	}
	if omitted > 0 || cut > 0 {
		fmt.Fprintf(&b, "\n**This comment is cut to GitHub's %d characters:** %d stacks' diffs are not shown here.\n", MaxCommentChars, omitted)
	}
	b.WriteString(footer)
	return b.String()
}

// stackDetail is one stack's diff, folded under its name.
func stackDetail(r Result) string {
	text := strings.TrimSpace(ansi.ReplaceAllString(r.Diff, ""))
	if r.Status == StatusFailed && r.Error != "" {
		text = strings.TrimSpace(text + "\n\n" + r.Error)
	}
	if len(text) > maxDiffChars {
		text = text[:maxDiffChars] + "\n… cut; the whole preview is in the job's log"
	}
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	return fmt.Sprintf("\n<details><summary><code>%s</code> %s: %s</summary>\n\n%sdiff\n%s\n%s\n</details>\n",
		r.Stack, r.Status, r.ChangeText(), fence, text, fence)
}

func oneLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(ansi.ReplaceAllString(s, "")), "\n")
	if len(line) > 300 {
		line = line[:300] + "…"
	}
	return line
}

func protectedOnly(rs []Result) []Result {
	return slices.DeleteFunc(slices.Clone(rs), func(r Result) bool { return len(r.ProtectedSteps()) == 0 })
}

func withoutProtected(rs []Result) []Result {
	return slices.DeleteFunc(slices.Clone(rs), func(r Result) bool { return len(r.ProtectedSteps()) > 0 })
}
