package plan

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// CommentMarker starts the review comment, so a workflow can find and update it instead of adding one
// comment per push.
const CommentMarker = "<!-- log-archive:offline-plan-diff -->"

// Stacks is `cmd/plan --all --json`: every stack's plan by stack name.
type Stacks struct {
	Stacks map[string]*Plan `json:"stacks"`
}

// Change is one resource that differs between two plans.
type Change struct {
	Op      string // "create", "delete" or "update"
	Name    string
	Type    string
	What    []string   // changed inputs and options
	Details []TextDiff // unified diffs of policies, replication rules and other changed inputs
}

// TextDiff is a unified diff with a title.
type TextDiff struct {
	Title   string
	Unified string
}

// StackDiff is what changes in one stack.
type StackDiff struct {
	Stack   string
	Status  string // "", "new stack", "stack removed"
	Changes []Change
	Outputs []TextDiff
}

// DiffStacks compares the plans of every stack on a base and a head.
func DiffStacks(base, head Stacks) []StackDiff {
	names := map[string]bool{}
	for n := range base.Stacks {
		names[n] = true
	}
	for n := range head.Stacks {
		names[n] = true
	}
	var out []StackDiff
	for _, n := range sortedKeys(names) {
		b, h := base.Stacks[n], head.Stacks[n]
		d := StackDiff{Stack: n}
		switch {
		case b == nil:
			d.Status, b = "new stack", &Plan{}
		case h == nil:
			d.Status, h = "stack removed", &Plan{}
		}
		d.Changes = diffSteps(b, h)
		if od := unified("outputs", prettyOutputs(b.Outputs), prettyOutputs(h.Outputs)); od != "" {
			d.Outputs = []TextDiff{{Title: "stack outputs", Unified: od}}
		}
		out = append(out, d)
	}
	return out
}

func diffSteps(base, head *Plan) []Change {
	byURN := func(p *Plan) map[string]Step {
		m := map[string]Step{}
		for _, s := range p.Creates() {
			m[s.URN] = s
		}
		return m
	}
	b, h := byURN(base), byURN(head)
	var changes []Change
	// Head order first (the plan's own order), then what only the base had.
	for _, s := range head.Creates() {
		old, existed := b[s.URN]
		if !existed {
			changes = append(changes, change("create", Step{}, s))
		} else if c := change("update", old, s); len(c.What) > 0 {
			changes = append(changes, c)
		}
	}
	for _, s := range base.Creates() {
		if _, kept := h[s.URN]; !kept {
			changes = append(changes, change("delete", s, Step{}))
		}
	}
	return changes
}

// change describes how a resource differs: options, then policy documents and replication rules as
// unified diffs of their pretty-printed JSON, then any other inputs.
func change(op string, old, new Step) Change {
	ref := new
	if op == "delete" {
		ref = old
	}
	c := Change{Op: op, Name: ref.Name(), Type: ref.NewState.Type}
	for _, opt := range []struct {
		name     string
		old, new bool
	}{
		{"protect", old.NewState.Protect, new.NewState.Protect},
		{"retainOnDelete", old.NewState.RetainOnDelete, new.NewState.RetainOnDelete},
	} {
		if op == "update" && opt.old != opt.new {
			c.What = append(c.What, fmt.Sprintf("%s %v → %v", opt.name, opt.old, opt.new))
		}
	}
	keys := map[string]bool{}
	for k := range old.NewState.Inputs {
		keys[k] = true
	}
	for k := range new.NewState.Inputs {
		keys[k] = true
	}
	prop, hasPolicy := PolicyProperties[c.Type]
	other := map[string][2]any{}
	for _, k := range sortedKeys(keys) {
		ov, nv := old.NewState.Inputs[k], new.NewState.Inputs[k]
		if reflect.DeepEqual(ov, nv) {
			continue
		}
		c.What = append(c.What, k)
		switch {
		case hasPolicy && k == prop.Property:
			os, _ := ov.(string)
			ns, _ := nv.(string)
			c.Details = append(c.Details, TextDiff{
				Title:   fmt.Sprintf("%s: %s, %d → %d of %d bytes", c.Name, prop.Label, len(os), len(ns), prop.Limit),
				Unified: unified(c.Name+" "+k, prettyPolicy(os), prettyPolicy(ns)),
			})
		case c.Type == replicationConfigType && k == "rules":
			c.Details = append(c.Details, TextDiff{
				Title:   c.Name + ": replication rules",
				Unified: unified(c.Name+" rules", prettyOrEmpty(ov), prettyOrEmpty(nv)),
			})
		default:
			other[k] = [2]any{ov, nv}
		}
	}
	if len(other) > 0 && op == "update" {
		var o, n strings.Builder
		for _, k := range sortedKeys(other) {
			fmt.Fprintf(&o, "%s: %s\n", k, prettyOrEmpty(other[k][0]))
			fmt.Fprintf(&n, "%s: %s\n", k, prettyOrEmpty(other[k][1]))
		}
		c.Details = append(c.Details, TextDiff{Title: c.Name + ": other inputs", Unified: unified(c.Name, o.String(), n.String())})
	}
	return c
}

const replicationConfigType = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"

func prettyPolicy(s string) string {
	if s == "" {
		return ""
	}
	return prettyJSON(s)
}

func prettyOutputs(m map[string]any) string {
	if len(m) == 0 {
		return ""
	}
	return prettyValue(m)
}

func prettyOrEmpty(v any) string {
	if v == nil {
		return ""
	}
	return prettyValue(v)
}

func unified(name, a, b string) string {
	if a == b {
		return ""
	}
	text, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: lines(a), B: lines(b),
		FromFile: "base/" + name, ToFile: "head/" + name, Context: 3,
	})
	if err != nil {
		return fmt.Sprintf("(diff failed: %v)", err)
	}
	return text
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.SplitAfter(strings.TrimSuffix(ensureNewline(s), "\n"), "\n")
}

func ensureNewline(s string) string {
	if s == "" || strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}

// ReviewMarkdown renders the diffs as one pull-request comment. headError, when not empty, is why the head
// does not plan at all.
func ReviewMarkdown(diffs []StackDiff, headError string) string {
	var b strings.Builder
	b.WriteString(CommentMarker + "\n### Offline plan: what this pull request changes\n\n")
	b.WriteString("Every `Pulumi.*.yaml` planned on the base and on the head under Pulumi's mock monitor, without cloud credentials.\n\n")
	if headError != "" {
		b.WriteString("**The head does not plan.** `pulumi up` would stop before changing anything:\n\n```\n" + strings.TrimSpace(headError) + "\n```\n")
		return b.String()
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
		if len(d.Changes) > 0 {
			b.WriteString("| | resource | type | what changes |\n|---|---|---|---|\n")
			for _, c := range d.Changes {
				what := strings.Join(c.What, ", ")
				if c.Op != "update" {
					what = ""
				}
				fmt.Fprintf(&b, "| %s | `%s` | `%s` | %s |\n", opMark(c.Op), c.Name, c.Type, what)
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

func writeDetails(b *strings.Builder, td TextDiff) {
	if td.Unified == "" {
		return
	}
	fmt.Fprintf(b, "<details open><summary>%s</summary>\n\n```diff\n%s```\n</details>\n\n", td.Title, ensureNewline(td.Unified))
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
	for _, op := range []string{"create", "update", "delete"} {
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

func opMark(op string) string {
	switch op {
	case "create":
		return "+"
	case "delete":
		return "-"
	}
	return "~"
}

// ReadStacks decodes `cmd/plan --all --json` output.
func ReadStacks(data []byte) (Stacks, error) {
	var s Stacks
	if err := json.Unmarshal(data, &s); err != nil {
		return Stacks{}, fmt.Errorf("reading plan JSON: %w", err)
	}
	if s.Stacks == nil {
		s.Stacks = map[string]*Plan{}
	}
	return s, nil
}
