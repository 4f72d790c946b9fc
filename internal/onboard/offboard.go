package onboard

import (
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"

	"log-archive/internal/cistacks"
	"log-archive/internal/plan"
	"log-archive/internal/stackconfig"
)

// OffboardOptions is one offboard run.
type OffboardOptions struct {
	Dir     string
	Stacks  []string
	Program plan.Program
}

// Offboard removes source stacks from the repository, in the second half of docs/deploying.md's offboarding order: the caller
// has destroyed each stack first (`pulumi destroy`, which leaves every log bucket, key and archived
// replica in place). It deletes the stack file, its .github/stacks.yaml entry and its fleet.yaml entry,
// and takes the account out of the archive's sourceAccountIds when no other stack of the account is left.
// It never touches AWS, the archive's objects or any stack's state. The result is checked like onboard's.
func Offboard(opts OffboardOptions) (*Result, error) {
	p, err := loadProject(opts.Dir, false)
	if err != nil {
		return nil, err
	}
	type gone struct{ stack, account, archive string }
	var leaving []gone
	for _, name := range opts.Stacks {
		name = stackconfig.DestinationStackName(name) // a full organization/project/stack name works too
		if _, ok := p.files[name]; !ok {
			p.problems.add("--stack "+name, fmt.Sprintf("there is no %s", StackFile(name)), "name a stack file of this directory")
			continue
		}
		st, err := p.load(name)
		if err != nil {
			p.problems.add(StackFile(name), indent(err), "fix the file first, or remove it and its entries by hand")
			continue
		}
		if st.Config[stackconfig.KeyStackKind] != string(stackconfig.KindSource) {
			p.problems.add(StackFile(name), "is not a source stack", "offboard source stacks only: the archive and its objects stay (docs/deploying.md, \"What pulumi destroy does\")")
			continue
		}
		leaving = append(leaving, gone{name, st.Config[stackconfig.KeySourceAccountID], st.Config[stackconfig.KeyDestinationStack]})
	}
	if len(p.problems) > 0 {
		return nil, p.problems
	}
	var archives []string
	for _, g := range leaving {
		p.changes[StackFile(g.stack)] = &Change{Path: StackFile(g.stack), Old: p.files[g.stack], Delete: true}
		if !slices.Contains(archives, g.archive) {
			archives = append(archives, g.archive)
		}
	}
	p.editFiles(cistacks.File, func(root *yaml.Node) bool {
		changed := false
		for _, g := range leaving {
			changed = deleteEntry(lookup(root, "stacks"), g.stack) || changed
		}
		return changed
	})
	if p.fleet != nil {
		p.editFiles(FleetFile, func(root *yaml.Node) bool {
			seq := lookup(root, "accounts")
			if seq == nil {
				return false
			}
			n := len(seq.Content)
			seq.Content = slices.DeleteFunc(seq.Content, func(e *yaml.Node) bool {
				stack := lookup(e, "stack")
				return stack != nil && slices.ContainsFunc(leaving, func(g gone) bool { return g.stack == stack.Value })
			})
			return len(seq.Content) != n
		})
	}
	for _, g := range leaving {
		if p.otherStackOf(g.account, g.stack, opts.Stacks) {
			p.notes = append(p.notes, fmt.Sprintf("account %s stays in the archive's list: another stack of it remains", g.account))
			continue
		}
		p.editFiles(StackFile(stackconfig.DestinationStackName(g.archive)), func(root *yaml.Node) bool {
			ids := lookup(lookup(root, "config"), stackconfig.KeySourceAccountIDs)
			if ids == nil {
				return false
			}
			n := len(ids.Content)
			ids.Content = slices.DeleteFunc(ids.Content, func(e *yaml.Node) bool { return e.Value == g.account })
			return len(ids.Content) != n
		})
	}
	if len(p.problems) > 0 {
		return nil, p.problems
	}
	planned, err := p.validate(opts.Program, archives, nil)
	if err != nil {
		return nil, err
	}
	return &Result{Changes: p.sortedChanges(), Notes: p.notes, Planned: planned}, nil
}

// otherStackOf tells whether a source stack other than the leaving ones deploys to account.
func (p *project) otherStackOf(account, stack string, leaving []string) bool {
	for name := range p.files {
		if name == stack || slices.Contains(leaving, name) {
			continue
		}
		if st, err := p.load(name); err == nil && st.Config[stackconfig.KeySourceAccountID] == account &&
			st.Config[stackconfig.KeyStackKind] == string(stackconfig.KindSource) {
			return true
		}
	}
	return false
}

// editFiles applies edit to a YAML file of the project (as already changed by this run), and records the
// new content when edit reports a change.
func (p *project) editFiles(path string, edit func(root *yaml.Node) bool) {
	raw, err := p.readFile(path)
	if err != nil || raw == nil {
		return
	}
	doc, err := parseDoc(path, raw)
	if err != nil {
		p.problems.add(path, err.Error(), "fix its YAML")
		return
	}
	old := raw
	if c, ok := p.changes[path]; ok {
		old = c.Old
	}
	if edit(doc.Content[0]) {
		out, err := encodeDoc(doc)
		if err != nil {
			p.problems.add(path, err.Error(), "report this: the edited file could not be written")
			return
		}
		p.setFile(path, old, out)
	}
}
