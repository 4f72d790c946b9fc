package plan

import (
	"fmt"
	"slices"
	"strings"
)

// CommentMarker starts the review comment, so a workflow can find and update it instead of adding one
// comment per push.
const CommentMarker = "<!-- log-archive:offline-plan-diff -->"

const reviewHeader = CommentMarker + "\n### Offline plan: what this pull request changes\n\n"

// ReviewMarkdown renders the diffs as one pull-request comment: first a warning line for every protected or
// retained resource the change deletes or replaces, since those are what a reviewer must not miss, then per
// stack a table of changed resources and the diffs of their policies, rules, inputs and outputs.
func ReviewMarkdown(diffs []StackDiff) string {
	var b strings.Builder
	b.WriteString(reviewHeader)
	b.WriteString("Every `Pulumi.*.yaml` planned on the base and on the head under Pulumi's mock monitor, without cloud credentials.\n\n")
	for _, d := range diffs {
		for _, c := range d.Changes {
			if h := c.Hazard(); h != "" {
				fmt.Fprintf(&b, "#### ⚠️ `%s`: `%s` (`%s`) %s\n\n", d.Stack, c.Name, c.Type, h)
			}
		}
	}
	changed := 0
	for _, d := range diffs {
		if len(d.Changes) > 0 || len(d.Outputs) > 0 || d.Status != "" {
			changed++
		}
	}
	if changed == 0 {
		b.WriteString("No changes: every stack plans the same on the base and the head.\n")
		return b.String()
	}
	for _, d := range diffs {
		fmt.Fprintf(&b, "#### `%s`: %s\n\n", d.Stack, summary(d))
		if d.Status == StatusRemoved {
			fmt.Fprintf(&b, "The deploy workflow stops updating this stack. Nothing is deleted: its resources stay in AWS until someone runs `pulumi destroy --stack %s` (docs/deploying.md, \"Offboard a source account\").\n\n", d.Stack)
			continue
		}
		if len(d.Changes) > 0 {
			b.WriteString("| | resource | type | what changes |\n|---|---|---|---|\n")
			for _, c := range d.Changes {
				fmt.Fprintf(&b, "| %s | `%s` | `%s` | %s |\n", opMark(c), c.Name, c.Type, what(c))
			}
			b.WriteString("\n")
		}
		for _, c := range d.Changes {
			for _, td := range c.Details {
				writeDetails(&b, td)
			}
		}
		for _, td := range d.Outputs {
			writeDetails(&b, td)
		}
	}
	return b.String()
}

// headErrorLimit keeps a failed head's error text (a compiler's output can be long) well inside a comment.
const headErrorLimit = 20000

// HeadFailedMarkdown is the comment when the head does not build or plan. renderedByBase says that the base's
// plan tool wrote it, as the workflow does, because the head's code may not compile.
func HeadFailedMarkdown(headError string, renderedByBase bool) string {
	var b strings.Builder
	b.WriteString(reviewHeader)
	b.WriteString("**The head does not build or plan.** `pulumi up` would stop before changing anything:\n\n")
	text := strings.TrimSpace(headError)
	if len(text) > headErrorLimit {
		text = text[:headErrorLimit] + "\n… (cut here; the whole text is in the run log)"
	}
	fence := codeFence(text)
	fmt.Fprintf(&b, "%s\n%s\n%s\n", fence, text, fence)
	if renderedByBase {
		b.WriteString("\nThis comment was written by the base's `plan diff`, because the head's code may not compile.\n")
	}
	return b.String()
}

// codeFence is a backtick fence longer than any backtick run in text, so the text cannot close it early
// (CommonMark: a fence closes only with at least as many backticks as opened it).
func codeFence(text string) string {
	longest, run := 0, 0
	for _, r := range text {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

func writeDetails(b *strings.Builder, td TextDiff) {
	if td.Unified == "" {
		return
	}
	fence := codeFence(td.Unified)
	fmt.Fprintf(b, "<details open><summary>%s</summary>\n\n%sdiff\n%s%s\n</details>\n\n", td.Title, fence, ensureNewline(td.Unified), fence)
}

func ensureNewline(s string) string {
	if s == "" || strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}

func what(c Change) string {
	if c.Op != "update" && c.Op != "replace" {
		return ""
	}
	parts := make([]string, len(c.What))
	for i, w := range c.What {
		parts[i] = w
		if slices.Contains(c.ReplacedBy, w) {
			parts[i] = "**" + w + " (forces replacement)**"
		}
	}
	return strings.Join(parts, ", ")
}

func summary(d StackDiff) string {
	counts := map[string]int{}
	for _, c := range d.Changes {
		counts[c.Op]++
	}
	var parts []string
	if d.Status != "" {
		parts = append(parts, d.Status)
	}
	for _, op := range []string{"create", "update", "replace", "delete"} {
		if counts[op] > 0 {
			parts = append(parts, fmt.Sprintf("%d to %s", counts[op], op))
		}
	}
	if len(d.Outputs) > 0 {
		parts = append(parts, "outputs change")
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}

// opMark is Pulumi's own mark for the operation, with a warning sign when the change is a hazard.
func opMark(c Change) string {
	mark := map[string]string{"create": "+", "delete": "-", "replace": "+-"}[c.Op]
	if mark == "" {
		mark = "~"
	}
	if c.Hazard() != "" {
		mark = "⚠️ " + mark
	}
	return mark
}
