package rollout_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/rollout"
)

// diffOf is a preview's diff text of about n bytes, as `pulumi preview --diff` prints it.
func diffOf(stack string, n int) string {
	var b strings.Builder
	for b.Len() < n {
		fmt.Fprintf(&b, "    ~ aws:s3/bucketPolicy:BucketPolicy: (update)\n        [urn=urn:pulumi:%s::log-archive::aws:s3/bucketPolicy:BucketPolicy::archive]\n      ~ policy: \"...\"\n", stack)
	}
	return b.String()
}

func fleetResults(n int) []rollout.Result {
	var out []rollout.Result
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("src-%05d", i)
		r := rollout.Result{Stack: name, Wave: "sources", Status: rollout.StatusSucceeded, Changes: map[string]int{}}
		switch {
		case i%100 == 0: // 12 stacks replace a protected resource
			r.Changes = map[string]int{"replace": 1, "update": 2}
			r.Steps = []rollout.Step{
				{Op: "replace", URN: "urn:pulumi:" + name + "::log-archive::aws:kms/key:Key::logs", Type: "aws:kms/key:Key", Protected: true},
				{Op: "update", URN: "urn:pulumi:" + name + "::log-archive::aws:s3/bucketPolicy:BucketPolicy::logs", Type: "aws:s3/bucketPolicy:BucketPolicy"},
			}
			r.Diff = diffOf(name, 3000)
		case i%250 == 7: // 5 failures
			r.Status, r.Error = rollout.StatusFailed, "the stack configuration has 1 problem; nothing was created:\n- Pulumi."+name+".yaml: ..."
		case i%3 == 0: // a third have no changes
		default:
			r.Changes = map[string]int{"update": 1, "create": 1}
			r.Diff = diffOf(name, 2500)
		}
		out = append(out, r)
	}
	return out
}

func TestReviewComment_1200Stacks(t *testing.T) {
	results := fleetResults(1200)
	more := "Every stack's whole preview is in the job summaries of [this run](https://github.com/acme/log-archive/actions/runs/1)."
	c := rollout.ReviewComment(results, more)

	assert.LessOrEqual(t, len(c), rollout.MaxCommentChars, "GitHub's comment limit (GH5)")
	assert.True(t, strings.HasPrefix(c, rollout.CommentMarker+"\n"), "the marker that finds the comment to edit")
	assert.True(t, strings.HasSuffix(c, more+"\n"), "points to where the whole text is")
	creates, updates, replaces, changed, failed := 0, 0, 0, 0, 0
	for _, r := range results {
		creates, updates, replaces = creates+r.Changes["create"], updates+r.Changes["update"], replaces+r.Changes["replace"]
		if r.Status == rollout.StatusFailed {
			failed++
		} else if r.Changed() {
			changed++
		}
	}
	require.Equal(t, 5, failed)
	has := func(s string) bool { return strings.Contains(c, s) } // keeps a failure's message short
	assert.True(t, has(fmt.Sprintf("### Pulumi preview: 1200 stacks, %d with changes, 5 failed\n", changed)))
	for _, r := range results {
		if r.Changed() {
			assert.True(t, has(fmt.Sprintf("| `%s` | %d | %d | %d | 0 |", r.Stack, r.Changes["create"], r.Changes["update"], r.Changes["replace"])), "a row for %s", r.Stack)
		}
	}
	assert.True(t, has(fmt.Sprintf("| **all stacks** | %d | %d | %d | 0 |", creates, updates, replaces)), "the totals count every stack, shown or not")

	protected := strings.Index(c, "Protected resources that would change")
	require.Positive(t, protected)
	assert.Less(t, protected, strings.Index(c, "#### Failed previews"), "protected resources first")
	assert.Less(t, strings.Index(c, "#### Failed previews"), strings.Index(c, "#### Stacks with changes"))
	for i := 100; i <= 1200; i += 100 {
		name := fmt.Sprintf("src-%05d", i)
		assert.True(t, has(fmt.Sprintf("- `%s`: **replace** of the protected `aws:kms/key:Key`", name)), name)
	}
	first := strings.Index(c, "<details>")
	require.Positive(t, first)
	assert.Contains(t, c[first:first+200], "src-00100", "the diffs of stacks with protected changes come first")
	assert.True(t, has("**This comment is cut to GitHub's 65536 characters:**"))
	assert.Equal(t, strings.Count(c, "<details>"), strings.Count(c, "</details>"), "no diff is cut inside its fold")
}

func TestReviewComment_SmallPreviewShowsEverything(t *testing.T) {
	results := []rollout.Result{
		{Stack: "destination", Status: rollout.StatusSucceeded, Changes: map[string]int{}},
		{Stack: "web", Status: rollout.StatusSucceeded, Changes: map[string]int{"update": 1}, Diff: "\x1b[33m~ tags: team\x1b[0m\n```not a fence```\n"},
		{Stack: "lab", Status: rollout.StatusNew},
	}
	c := rollout.ReviewComment(results, "more")
	assert.Contains(t, c, "### Pulumi preview: 3 stacks, 1 with changes, 0 failed")
	assert.Contains(t, c, "- `lab` is new: the deploy creates it")
	assert.Contains(t, c, "| `web` | 0 | 1 | 0 | 0 |")
	assert.Contains(t, c, "<details><summary><code>web</code> ok: +0 ~1 ±0 -0</summary>\n\n````diff\n~ tags: team\n```not a fence```\n````\n</details>",
		"colours stripped, and a fence longer than any backtick run in the diff")
	assert.Contains(t, c, "1 stacks have no changes.")
	assert.NotContains(t, c, "cut to GitHub's")
	assert.NotContains(t, c, "Protected resources")
}
