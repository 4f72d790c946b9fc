package plan

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"log-archive/internal/catalog"
)

// Stacks is `cmd/plan --all --json`: every stack's plan by stack name.
type Stacks struct {
	Stacks map[string]*Plan `json:"stacks"`
}

// Change is one resource that differs between two plans.
type Change struct {
	Op   string // "create", "update", "replace" or "delete"
	Name string
	Type string
	What []string // changed inputs and options
	// ReplacedBy is the changed inputs that force a replacement (ReplaceOnChange); Op is "replace" when set.
	ReplacedBy []string
	// Protected and Retained are the base's protect and retainOnDelete: what `pulumi up` honours when it
	// deletes or replaces the resource that is deployed now.
	Protected, Retained bool
	Details             []TextDiff // per-section diffs of policies, replication rules and other changed inputs
}

// Hazard says what `pulumi up` will do to a protected or retained resource that the change deletes or
// replaces, or "" when there is nothing to flag.
func (c Change) Hazard() string {
	if c.Op != "delete" && c.Op != "replace" {
		return ""
	}
	what := "deletes it"
	if c.Op == "replace" {
		what = "replaces it (" + codeList(c.ReplacedBy) + " changes)"
	}
	switch {
	case c.Protected:
		return "is `protect`ed, and this change " + what + ": `pulumi up` will refuse and fail. Unprotecting it is a separate, deliberate change."
	case c.Retained && c.Op == "replace":
		return "is `retainOnDelete`, and this change " + what + ": `pulumi up` will create a new one and leave the old one in AWS, no longer managed by Pulumi."
	case c.Retained:
		return "is `retainOnDelete`, and this change " + what + ": `pulumi up` will leave it in AWS and forget it; nothing manages it afterwards."
	}
	return ""
}

func codeList(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "`" + n + "`"
	}
	return strings.Join(quoted, ", ")
}

// TextDiff is a diff with a title; its hunks are headed "@@ section @@".
type TextDiff struct {
	Title   string
	Unified string
}

// StackDiff is what changes in one stack.
type StackDiff struct {
	Stack   string
	Status  string // "", StatusNew, StatusRemoved
	Changes []Change
	Outputs []TextDiff
}

// Stack statuses. A removed stack file changes nothing in AWS: the deploy workflow only stops updating it.
const (
	StatusNew     = "new stack"
	StatusRemoved = "stack file removed"
)

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
		case h == nil:
			d.Status = StatusRemoved
			out = append(out, d)
			continue
		case b == nil:
			d.Status, b = StatusNew, &Plan{}
		}
		d.Changes = diffSteps(b, h)
		if od := diffSections(memberSections(b.Outputs), memberSections(h.Outputs)); od != "" {
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

// change describes how a resource differs: options, then policy documents statement by statement and
// replication rules rule by rule, then any other inputs one by one. An update that changes a
// replace-on-change input is a replacement.
func change(op string, old, new Step) Change {
	ref := new
	if op == "delete" {
		ref = old
	}
	c := Change{Op: op, Name: ref.Name(), Type: ref.NewState.Type, Protected: old.NewState.Protect, Retained: old.NewState.RetainOnDelete}
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
	prop, hasPolicy := policyProperty(c.Type)
	var changed []string
	other := [2]map[string]any{{}, {}}
	for _, k := range sortedKeys(keys) {
		ov, nv := old.NewState.Inputs[k], new.NewState.Inputs[k]
		if reflect.DeepEqual(ov, nv) {
			continue
		}
		changed = append(changed, k)
		switch {
		case hasPolicy && k == prop.Property:
			os, _ := ov.(string)
			ns, _ := nv.(string)
			c.Details = append(c.Details, TextDiff{
				Title:   fmt.Sprintf("%s: %s, %d → %d of %d bytes", c.Name, prop.Label, len(os), len(ns), prop.Limit),
				Unified: diffSections(policySections(os), policySections(ns)),
			})
		case c.Type == replicationConfigType && k == "rules":
			c.Details = append(c.Details, TextDiff{
				Title:   c.Name + ": replication rules",
				Unified: diffSections(ruleSections(ov), ruleSections(nv)),
			})
		default:
			other[0][k], other[1][k] = ov, nv
		}
	}
	if op == "update" {
		c.What = append(c.What, changed...)
		if c.ReplacedBy = catalog.ReplacedBy(catalog.Type(c.Type), changed); len(c.ReplacedBy) > 0 {
			c.Op = "replace"
		}
		if len(other[1]) > 0 || len(other[0]) > 0 {
			c.Details = append(c.Details, TextDiff{Title: c.Name + ": other inputs", Unified: diffSections(memberSections(other[0]), memberSections(other[1]))})
		}
	}
	return c
}

const replicationConfigType = string(catalog.S3BucketReplication)

func ruleSections(v any) []section {
	if v == nil {
		return nil
	}
	if s, ok := listSections(v, "rule", "  "); ok {
		return s
	}
	return []section{{key: "rules", label: "rules", text: prettyValue(v)}}
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
