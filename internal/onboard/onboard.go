package onboard

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"log-archive/internal/awsid"
	"log-archive/internal/cistacks"
	"log-archive/internal/plan"
	"log-archive/internal/stackconfig"
)

// The roles every account holds (shared decisions; the bootstrap template creates them).
const (
	DeployRoleName  = "log-archive-github-deployer"
	PreviewRoleName = "log-archive-github-previewer"
)

// Options is one onboard run.
type Options struct {
	Dir string
	// Input are the accounts to add or update; none regenerates every stack file from fleet.yaml.
	Input Input
	// Canary names stacks or account IDs to deploy in the canary wave.
	Canary []string
	// ManagementAccount is the organization's management account, refused as a source (SS2): StackSets
	// never deploy its roles, and its stack would hold the organization's most powerful credentials.
	ManagementAccount string
	// Program is what plans each stack: the program `pulumi up` runs.
	Program plan.Program
}

// Change is one file onboard or offboard writes (New) or deletes.
type Change struct {
	Path     string // relative to the project directory
	Old, New []byte
	Delete   bool
}

// Verb is what the change does to its file.
func (c Change) Verb() string {
	switch {
	case c.Delete:
		return "delete"
	case c.Old == nil:
		return "create"
	}
	return "update"
}

// Result is what a run would write, and what the user should know about it.
type Result struct {
	Changes []Change
	Notes   []string
	// Planned is how many stacks were planned offline to check the result.
	Planned int
}

// project is the state of the project directory a run starts from.
type project struct {
	dir   string
	load  func(name string) (plan.Stack, error) // loads a stack file of dir; Pulumi.yaml is read once
	fleet *Fleet
	files map[string][]byte // every Pulumi.<stack>.yaml by stack name
	// handWritten maps the account of each source stack onboard did not generate to its stack.
	handWritten map[string]string
	changes     map[string]*Change
	problems    Problems
	notes       []string
}

// loadProject reads the project; fleet.yaml is required when needFleet is set, and read when present.
func loadProject(dir string, needFleet bool) (*project, error) {
	f, err := LoadFleet(dir)
	if err != nil && (needFleet || !errors.Is(err, os.ErrNotExist)) {
		return nil, err
	}
	p := &project{dir: dir, load: stackLoader(dir), fleet: f, files: map[string][]byte{}, handWritten: map[string]string{}, changes: map[string]*Change{}}
	names, err := plan.StackNames(dir)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		raw, err := os.ReadFile(filepath.Join(dir, StackFile(name)))
		if err != nil {
			return nil, err
		}
		p.files[name] = raw
		if IsGenerated(raw) {
			continue
		}
		st, err := p.load(name)
		if err != nil {
			continue // the stack's own problem: check and the matrix report it
		}
		if st.Config[stackconfig.KeyStackKind] == string(stackconfig.KindSource) {
			p.handWritten[st.Config[stackconfig.KeySourceAccountID]] = name
		}
	}
	return p, nil
}

// Onboard adds the input's accounts to fleet.yaml and renders every account's stack file, its
// .github/stacks.yaml entry and the archive's sourceAccountIds entry. Nothing is written: the caller
// writes the Result (or prints it for --dry-run). When any input is bad, or any resulting stack fails the
// Pulumi CLI's config validation or the program's own, it returns every problem and no Result.
func Onboard(opts Options) (*Result, error) {
	p, err := loadProject(opts.Dir, true)
	if err != nil {
		return nil, err
	}
	f := p.fleet
	where := p.mergeInput(opts.Input)
	p.markCanary(opts.Canary)
	for i, a := range f.Accounts {
		p.checkFleetAccount(where[i], a, opts.ManagementAccount)
	}
	if len(p.problems) > 0 {
		return nil, p.problems
	}
	rendered := map[string]string{} // stack -> where, for the plan's messages
	for i, a := range f.Accounts {
		content, err := f.RenderOver(p.dir, a, p.files[a.Stack])
		if err != nil {
			p.problems.add(where[i], err.Error(), "fix the account's template path")
			continue
		}
		if p.setFile(StackFile(a.Stack), p.files[a.Stack], content) {
			rendered[a.Stack] = where[i]
		}
	}
	p.editStacksYAML(f.Accounts)
	p.admit(f.Accounts)
	p.editFleetAccounts()
	if len(p.problems) > 0 {
		return nil, p.problems
	}
	res := &Result{Notes: p.notes}
	if len(p.changes) == 0 {
		res.Notes = append(res.Notes, "nothing to change: every file already matches fleet.yaml")
		return res, nil
	}
	planned, err := p.validate(opts.Program, []string{f.DestinationStack}, rendered)
	if err != nil {
		return nil, err
	}
	res.Planned = planned
	res.Changes = p.sortedChanges()
	return res, nil
}

// mergeInput adds new accounts to fleet.yaml's list and replaces the entries of known ones; it returns
// where each of the fleet's accounts comes from, for messages.
func (p *project) mergeInput(in Input) []string {
	f := p.fleet
	where := make([]string, len(f.Accounts))
	for i := range f.Accounts {
		where[i] = fmt.Sprintf("%s accounts[%d]", FleetFile, i)
	}
	for i, a := range in.Accounts {
		idx := slices.IndexFunc(f.Accounts, func(e Account) bool { return e.Account == a.Account })
		if other := slices.IndexFunc(f.Accounts, func(e Account) bool { return e.Stack == a.Stack }); other >= 0 && other != idx {
			p.problems.add(in.Where[i], fmt.Sprintf("stack %q is account %s's in %s", a.Stack, f.Accounts[other].Account, FleetFile), "choose another stack name")
			continue
		}
		if idx < 0 {
			f.Accounts = append(f.Accounts, a)
			where = append(where, in.Where[i])
			continue
		}
		if f.Accounts[idx].Stack != a.Stack {
			p.problems.add(in.Where[i], fmt.Sprintf("account %s is already stack %q in %s", a.Account, f.Accounts[idx].Stack, FleetFile),
				fmt.Sprintf("keep the stack name %q, or offboard it first (go run ./cmd/fleet offboard --stack %s)", f.Accounts[idx].Stack, f.Accounts[idx].Stack))
			continue
		}
		if a.Wave == "" {
			a.Wave = f.Accounts[idx].Wave // a list without a wave column keeps the wave fleet.yaml has
		}
		f.Accounts[idx], where[idx] = a, in.Where[i]
	}
	return where
}

func (p *project) markCanary(names []string) {
	for _, name := range names {
		idx := slices.IndexFunc(p.fleet.Accounts, func(a Account) bool { return a.Stack == name || a.Account == name })
		if idx < 0 {
			p.problems.add("--canary", fmt.Sprintf("%q is neither a stack nor an account of the fleet", name), "name a stack or account ID of the input or of "+FleetFile)
			continue
		}
		p.fleet.Accounts[idx].Wave = WaveCanary
	}
}

func (p *project) checkFleetAccount(where string, a Account, management string) {
	p.problems = append(p.problems, checkAccount(where, a)...)
	f := p.fleet
	if n := countFunc(f.Accounts, func(e Account) bool { return e.Account == a.Account }); n > 1 {
		p.problems.add(where, fmt.Sprintf("account %s has %d entries in %s", a.Account, n, FleetFile), "keep one: two stacks for one account collide on the replication role's name")
	}
	if a.Account == management && management != "" {
		p.problems.add(where, fmt.Sprintf("account %s is the organization's management account", a.Account),
			"leave it out: StackSets never deploy the deploy roles there (SS2), and a source stack in it would hold the organization's most powerful credentials; send its logs from a member account (docs/onboarding.md)")
	}
	if a.Stack == f.DestinationName() {
		p.problems.add(where, fmt.Sprintf("stack %q is the archive's stack", a.Stack), "give the source account another stack name")
	}
	if raw, ok := p.files[a.Stack]; ok && !IsGenerated(raw) {
		p.problems.add(where, fmt.Sprintf("%s exists and was not generated by onboard", StackFile(a.Stack)),
			"choose another stack name, or move that stack into "+FleetFile+" by deleting its file and its .github/stacks.yaml entry first")
	}
	if other, ok := p.handWritten[a.Account]; ok && other != a.Stack {
		p.problems.add(where, fmt.Sprintf("account %s already has the stack %s", a.Account, StackFile(other)),
			"leave the account out, or delete that file and its .github/stacks.yaml entry first: two stacks for one account collide on the replication role's name")
	}
}

func countFunc[T any](s []T, f func(T) bool) int {
	n := 0
	for _, v := range s {
		if f(v) {
			n++
		}
	}
	return n
}

// setFile records a file's new content; it reports whether it differs from what is there.
func (p *project) setFile(path string, old, content []byte) bool {
	if old != nil && bytes.Equal(old, content) {
		return false
	}
	if c, ok := p.changes[path]; ok {
		c.New = content
		return true
	}
	p.changes[path] = &Change{Path: path, Old: old, New: content}
	return true
}

func (p *project) readFile(path string) ([]byte, error) {
	if c, ok := p.changes[path]; ok {
		return c.New, nil
	}
	raw, err := os.ReadFile(filepath.Join(p.dir, path))
	if os.IsNotExist(err) {
		return nil, nil
	}
	return raw, err
}

// stacksEntry is an account's .github/stacks.yaml entry: the roles the bootstrap creates in that account.
func stacksEntry(a Account, region string) *yaml.Node {
	partition, err := awsid.PartitionOf(region)
	if err != nil {
		partition = "aws" // the plan reports the Region
	}
	role := func(name string) string { return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, a.Account, name) }
	n := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		str("account"), quoted(a.Account),
		str("region"), str(region),
		str("role"), str(role(DeployRoleName)),
		str("previewRole"), str(role(PreviewRoleName)),
	}}
	if a.Wave != "" {
		n.Content = append(n.Content, str("wave"), str(a.Wave))
	}
	return n
}

func (p *project) editStacksYAML(accounts []Account) {
	raw, err := p.readFile(cistacks.File)
	if err != nil {
		p.problems.add(cistacks.File, err.Error(), "make the file readable")
		return
	}
	doc, err := parseDoc(cistacks.File, raw)
	if err != nil {
		p.problems.add(cistacks.File, err.Error(), "fix its YAML")
		return
	}
	stacks := ensureMapping(doc.Content[0], "stacks")
	changed := false
	for _, a := range accounts {
		changed = setEntry(stacks, a.Stack, stacksEntry(a, p.fleet.RegionOf(a))) || changed
	}
	p.writeDoc(cistacks.File, raw, doc, changed)
}

func (p *project) writeDoc(path string, old []byte, doc *yaml.Node, changed bool) {
	if !changed {
		return
	}
	out, err := encodeDoc(doc)
	if err != nil {
		p.problems.add(path, err.Error(), "report this: the edited file could not be written")
		return
	}
	p.setFile(path, old, out)
}

// admit lists the fleet's accounts in the archive's sourceAccountIds, unless the archive admits an
// organization (R2.12): then an account needs no entry, and verify proves its membership.
func (p *project) admit(accounts []Account) {
	dest := StackFile(p.fleet.DestinationName())
	raw, err := p.readFile(dest)
	if err != nil || raw == nil {
		p.problems.add(FleetFile, fmt.Sprintf("destinationStack %q names %s, which does not exist", p.fleet.DestinationStack, dest),
			"create the archive's stack file first (README, \"Stand up the archive\"), or correct destinationStack")
		return
	}
	doc, err := parseDoc(dest, raw)
	if err != nil {
		p.problems.add(dest, err.Error(), "fix its YAML")
		return
	}
	cfg := ensureMapping(doc.Content[0], "config")
	if org := lookup(cfg, stackconfig.KeySourceOrganization); org != nil && lookup(org, "id") != nil && lookup(org, "id").Value != "" {
		p.notes = append(p.notes, fmt.Sprintf("%s admits the organization %s (%s): the accounts need no sourceAccountIds entry, if they are members of the OUs it names; run verify after each first deploy to prove it [R2.12]",
			dest, lookup(org, "id").Value, stackconfig.KeySourceOrganization))
		return
	}
	ids := lookup(cfg, stackconfig.KeySourceAccountIDs)
	if ids == nil || ids.Kind != yaml.SequenceNode {
		ids = &yaml.Node{Kind: yaml.SequenceNode}
		setEntry(cfg, stackconfig.KeySourceAccountIDs, ids)
	}
	listed := seqValues(ids)
	changed := false
	for _, a := range accounts {
		if !slices.Contains(listed, a.Account) {
			if len(ids.Content) == 0 {
				ids.Style = 0 // an empty [] becomes a block list: one account per line, one line per diff
			}
			ids.Content = append(ids.Content, quoted(a.Account))
			listed = append(listed, a.Account)
			changed = true
		}
	}
	p.writeDoc(dest, raw, doc, changed)
}

// editFleetAccounts writes fleet.yaml's accounts list: entries whose account changed are replaced in
// place, new ones appended, as one-line flow mappings so that 1,000 accounts stay 1,000 lines.
func (p *project) editFleetAccounts() {
	f := p.fleet
	root := f.doc.Content[0]
	seq := lookup(root, "accounts")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		seq = &yaml.Node{Kind: yaml.SequenceNode}
		setEntry(root, "accounts", seq)
	}
	changed := false
	for i, a := range f.Accounts {
		n, err := accountNode(a)
		if err != nil {
			p.problems.add(FleetFile, err.Error(), "report this")
			return
		}
		switch {
		case i >= len(seq.Content):
			seq.Content = append(seq.Content, n)
			changed = true
		case !sameNode(seq.Content[i], n):
			n.HeadComment, n.LineComment = seq.Content[i].HeadComment, seq.Content[i].LineComment
			seq.Content[i] = n
			changed = true
		}
	}
	if changed {
		seq.Style = 0
	}
	p.writeDoc(FleetFile, f.raw, f.doc, changed)
}

func accountNode(a Account) (*yaml.Node, error) {
	n := &yaml.Node{}
	if err := n.Encode(a); err != nil {
		return nil, err
	}
	n.Style = yaml.FlowStyle
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "account" {
			n.Content[i+1].Style = yaml.DoubleQuotedStyle
		}
		if n.Content[i+1].Kind == yaml.SequenceNode {
			n.Content[i+1].Style = yaml.FlowStyle
		}
	}
	return n, nil
}

func (p *project) sortedChanges() []Change {
	out := make([]Change, 0, len(p.changes))
	for _, c := range p.changes {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Write applies the changes to dir: each file is written to a temporary file and renamed, so a reader
// never sees half a file.
func (r *Result) Write(dir string) error {
	for _, c := range r.Changes {
		path := filepath.Join(dir, c.Path)
		if c.Delete {
			if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
				return err
			}
			continue
		}
		tmp := path + ".onboard-tmp"
		if err := writeFile(tmp, c.New); err != nil {
			return err
		}
		if err := os.Rename(tmp, path); err != nil {
			return err
		}
	}
	return nil
}

// Summary counts the changes by verb, e.g. "300 created, 3 updated".
func (r *Result) Summary() string {
	counts := map[string]int{}
	for _, c := range r.Changes {
		counts[c.Verb()]++
	}
	var parts []string
	for _, verb := range []string{"create", "update", "delete"} {
		if counts[verb] > 0 {
			parts = append(parts, fmt.Sprintf("%d %sd", counts[verb], verb))
		}
	}
	if len(parts) == 0 {
		return "no file changes"
	}
	return strings.Join(parts, ", ")
}
