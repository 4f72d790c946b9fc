// Package deployer generates, from a stack's offline plan, the least-privilege IAM policy a deploying
// principal needs for `pulumi preview`, `pulumi up` (create, refresh, update) and `pulumi destroy` of
// exactly the resources that stack manages. The actions per resource type are the resource-type
// catalogue's (internal/catalog); the ARNs come from the plan's inputs and the stack's account, Region and
// partition. Guard statements (guards.go) keep its holder from widening its own rights.
package deployer

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"log-archive/internal/awsid"
	"log-archive/internal/catalog"
	"log-archive/internal/plan"
	"log-archive/internal/policy"
	"log-archive/internal/stackconfig"
)

// Policy is one managed policy to create: its name, its size as IAM counts it and its document.
type Policy struct {
	Name     string          `json:"name"`
	Size     int             `json:"size"`
	Document policy.Document `json:"document"`
}

// Withheld is a resource Pulumi never deletes (protect or retainOnDelete in the plan), and the delete
// actions the policy therefore leaves out for it.
type Withheld struct {
	URN     string   `json:"urn"`
	Type    string   `json:"type"`
	Reason  string   `json:"reason"`
	Actions []string `json:"actions"`
}

// Result is the generated policy of one stack.
type Result struct {
	Stack     string `json:"stack"`
	Account   string `json:"account"`
	Region    string `json:"region"`
	Partition string `json:"partition"`
	// Regions are the stack's Regions: aws:region and every explicit provider's.
	Regions []string `json:"regions"`
	// Boundary is the permissions boundary every role of the stack must have (D8): the policy
	// RoleBoundaryPolicy documents, which the deployer may neither create nor change.
	Boundary string     `json:"roleBoundaryArn"`
	Limit    int        `json:"limit"`
	Policies []Policy   `json:"policies"`
	Withheld []Withheld `json:"deletesNotGranted"`
	Notes    []string   `json:"notes"`
}

// EnvOf is where the stack deploys, from its configuration: aws:region, its partition, and the account the
// stack kind names (log-archive:archiveAccountId or log-archive:sourceAccountId).
func EnvOf(stack plan.Stack) (Env, error) {
	region := stack.Config[stackconfig.KeyRegion]
	partition, err := awsid.PartitionOf(region)
	if err != nil {
		return Env{}, fmt.Errorf("%s = %q: %w", stackconfig.KeyRegion, region, err)
	}
	key := stackconfig.KeySourceAccountID
	if stack.Config[stackconfig.KeyStackKind] == string(stackconfig.KindDestination) {
		key = stackconfig.KeyArchiveAccountID
	}
	account := stack.Config[key]
	if account == "" {
		return Env{}, fmt.Errorf("%s is not set: the policy's ARNs need the stack's account", key)
	}
	return Env{Partition: partition, Region: region, Account: account, Regions: []string{region},
		Roles: map[string]string{}, ByURN: map[string]plan.Step{}, ProviderRegions: map[string]string{}}, nil
}

// PlanEnv is where the plan p of stack deploys, with what its ARNs need from the plan: every resource by
// URN, the Region of each explicit provider, the roles and the key aliases it creates.
func PlanEnv(stack plan.Stack, p *plan.Plan) (Env, error) {
	e, err := EnvOf(stack)
	if err != nil {
		return Env{}, err
	}
	for _, s := range p.Creates() {
		e.ByURN[s.URN] = s
		switch catalog.Type(s.NewState.Type) {
		case catalog.AWSProvider:
			if r := str(s, "region"); r != "" {
				e.ProviderRegions[s.URN] = r
				if !slices.Contains(e.Regions, r) {
					e.Regions = append(e.Regions, r)
				}
			}
		case catalog.IAMRole:
			e.Roles[named(s, "name")] = e.roleARN(s)
		case catalog.KMSAlias:
			e.Aliases = sortedSet(append(e.Aliases, str(s, "name")))
		}
	}
	return e, nil
}

// Generate builds the deployer policy for the plan p of stack.
func Generate(stack plan.Stack, p *plan.Plan) (*Result, error) {
	e, err := PlanEnv(stack, p)
	if err != nil {
		return nil, err
	}
	steps := managed(p)
	if err := checkTypes(steps); err != nil {
		return nil, err
	}

	b := newBuilder()
	b.add(catalog.Provider, catalog.Provider.Grants[0], e, plan.Step{}, true)
	res := &Result{Stack: stack.Name, Account: e.Account, Region: e.Region, Partition: e.Partition, Limit: policy.ManagedPolicyLimit,
		Boundary: awsid.RoleBoundaryArnIn(e.Partition, e.Account)}
	for _, s := range steps {
		info, _ := catalog.Of(catalog.Type(s.NewState.Type))
		rule := *info.Deployer
		deletable := !s.NewState.Protect && !s.NewState.RetainOnDelete
		var withheld []string
		for _, g := range rule.Grants {
			if !b.add(rule, g, e, s, deletable) || deletable {
				continue
			}
			withheld = append(withheld, deleteOnly(g, s)...)
		}
		if len(withheld) > 0 {
			res.Withheld = append(res.Withheld, Withheld{URN: s.URN, Type: s.NewState.Type, Reason: reason(s), Actions: sortedSet(withheld)})
		}
	}
	if stack.Config[stackconfig.KeyStackKind] == string(stackconfig.KindDestination) {
		b.add(AccessAnalyzer, AccessAnalyzer.Grants[0], e, plan.Step{}, true)
	}
	statements := append(guards(e), b.statements()...)
	res.Policies, err = pack(stack.Name, statements)
	if err != nil {
		return nil, err
	}
	res.Regions = e.Regions
	res.Notes = widened(res, e, steps)
	if res.Withheld == nil {
		res.Withheld = []Withheld{}
	}
	if res.Notes == nil {
		res.Notes = []string{}
	}
	return res, nil
}

// managed is every custom resource the plan creates: components are Pulumi's own, a StackReference reads
// the state backend, not AWS, and an explicit provider calls only sts:GetCallerIdentity (Provider).
func managed(p *plan.Plan) []plan.Step {
	var out []plan.Step
	for _, s := range p.Creates() {
		if s.NewState.Custom && !strings.HasPrefix(s.NewState.Type, "pulumi:providers:") {
			out = append(out, s)
		}
	}
	return out
}

// checkTypes fails for every resource type the plan registers that the catalogue lacks, or holds without
// its deployer actions.
func checkTypes(steps []plan.Step) error {
	var errs []error
	seen := map[string]bool{}
	for _, s := range steps {
		t := s.NewState.Type
		if info, ok := catalog.Of(catalog.Type(t)); (ok && info.Deployer != nil) || seen[t] {
			continue
		}
		seen[t] = true
		errs = append(errs, fmt.Errorf("resource type %s (%s) has no deployer actions in internal/catalog: add the API actions the provider calls to create, read, update and delete it", t, s.Name()))
	}
	return errors.Join(errs...)
}

func reason(s plan.Step) string {
	var r []string
	if s.NewState.Protect {
		r = append(r, "protect")
	}
	if s.NewState.RetainOnDelete {
		r = append(r, "retainOnDelete")
	}
	return strings.Join(r, ", ")
}

// grantActions is what a grant needs for create, read and update of resource s.
func grantActions(g catalog.Grant, s plan.Step) []string {
	a := slices.Concat(g.Create, g.Read, g.Update)
	for input, extra := range g.When {
		if isSet(s, input) {
			a = append(a, extra...)
		}
	}
	return a
}

// deleteOnly is the part of a grant's delete that create, read and update do not need anyway: what is
// withheld from a resource Pulumi never deletes.
func deleteOnly(g catalog.Grant, s plan.Step) []string {
	keep := grantActions(g, s)
	var out []string
	for _, a := range g.Delete {
		if !slices.Contains(keep, a) {
			out = append(out, a)
		}
	}
	return out
}

// builder gathers grants into statements: one per rule grant, the resources of every resource of that type
// together, split only where the resources need different actions or conditions.
type builder struct {
	groups map[string]*group
	order  []string
}

type group struct {
	sid       string
	actions   []string
	resources []string
	condition policy.Conditions
}

func newBuilder() *builder { return &builder{groups: map[string]*group{}} }

// add records grant g of rule for step s; it reports whether the grant applies to s at all.
func (b *builder) add(rule catalog.Deployer, g catalog.Grant, e Env, s plan.Step, deletable bool) bool {
	if g.OnlyWhen != "" && !isSet(s, g.OnlyWhen) {
		return false
	}
	resources := scopes[g.On](e, s)
	if len(resources) == 0 {
		return false
	}
	actions := grantActions(g, s)
	if deletable {
		actions = append(actions, g.Delete...)
	}
	actions = sortedSet(actions)
	if len(actions) == 0 {
		return false
	}
	cond := policy.Conditions{}
	if g.If != catalog.NoCondition {
		cond = conditions[g.If](e, s)
	}
	if slices.Equal(resources, []string{"*"}) && rule.Sid != catalog.Provider.Sid {
		// D6: what no ARN scopes is limited to the stack's Regions. sts:GetCallerIdentity is left
		// unconditioned: it needs no permission at all (a Deny cannot refuse it).
		addCondition(cond, "StringEquals", "aws:RequestedRegion", e.Regions)
	}
	if len(cond) == 0 {
		cond = nil
	}
	sid := rule.Sid + g.Sid
	ck, _ := json.Marshal(cond)
	key := sid + "\x00" + strings.Join(actions, ",") + "\x00" + string(ck)
	gr, ok := b.groups[key]
	if !ok {
		gr = &group{sid: sid, actions: actions, condition: cond}
		b.groups[key] = gr
		b.order = append(b.order, key)
	}
	gr.resources = sortedSet(append(gr.resources, resources...))
	return true
}

// statements are the groups as statements, sorted by Sid; a Sid that several groups share (resources of
// one type that need different actions, e.g. a deletable and a retained one) is numbered.
func (b *builder) statements() []policy.Statement {
	keys := slices.Clone(b.order)
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	count := map[string]int{}
	for _, k := range keys {
		count[b.groups[k].sid]++
	}
	n := map[string]int{}
	var out []policy.Statement
	for _, k := range keys {
		g := b.groups[k]
		sid := g.sid
		if count[sid] > 1 {
			n[sid]++
			sid = fmt.Sprintf("%s%d", sid, n[sid])
		}
		out = append(out, policy.Statement{Sid: sid, Effect: "Allow", Action: g.actions, Resource: g.resources, Condition: g.condition})
	}
	return out
}

// pack puts the statements into as few managed policies as fit the size limit. A statement that
// alone is over the limit is split into numbered statements over parts of its resources.
func pack(stack string, statements []policy.Statement) ([]Policy, error) {
	var split []policy.Statement
	for _, st := range statements {
		parts, err := splitStatement(st)
		if err != nil {
			return nil, err
		}
		split = append(split, parts...)
	}
	// First fit: each statement goes into the first policy it fits, so the guards, which come first,
	// are in policy 1 and smaller statements fill the room larger ones leave.
	var docs []policy.Document
	for _, st := range split {
		placed := false
		for i := range docs {
			next := policy.Document{Version: docs[i].Version, Statement: append(slices.Clone(docs[i].Statement), st)}
			if next.Size() <= policy.ManagedPolicyLimit {
				docs[i], placed = next, true
				break
			}
		}
		if !placed {
			docs = append(docs, policy.Document{Version: policy.Version, Statement: []policy.Statement{st}})
		}
	}
	policies := make([]Policy, len(docs))
	for i, d := range docs {
		name := DeployerPolicyPrefix + stack
		if len(docs) > 1 {
			name = fmt.Sprintf("%s-%d", name, i+1)
		}
		policies[i] = Policy{Name: name, Size: d.Size(), Document: d}
	}
	return policies, nil
}

func splitStatement(st policy.Statement) ([]policy.Statement, error) {
	if (policy.Document{Version: policy.Version, Statement: []policy.Statement{st}}).Size() <= policy.ManagedPolicyLimit {
		return []policy.Statement{st}, nil
	}
	if len(st.Resource) < 2 {
		return nil, fmt.Errorf("statement %s alone is over the %d-character managed policy limit", st.Sid, policy.ManagedPolicyLimit)
	}
	half := len(st.Resource) / 2
	a, b := st, st
	a.Sid, a.Resource = st.Sid+"Part1", st.Resource[:half]
	b.Sid, b.Resource = st.Sid+"Part2", st.Resource[half:]
	pa, err := splitStatement(a)
	if err != nil {
		return nil, err
	}
	pb, err := splitStatement(b)
	if err != nil {
		return nil, err
	}
	return append(pa, pb...), nil
}

// widened notes every withheld delete action that the policy grants anyway through a wildcard it needs for
// another, deletable resource (KMS keys are key/*: AWS picks their IDs).
func widened(res *Result, e Env, steps []plan.Step) []string {
	var notes []string
	for _, s := range steps {
		if !s.NewState.Protect && !s.NewState.RetainOnDelete {
			continue
		}
		info, _ := catalog.Of(catalog.Type(s.NewState.Type))
		for _, g := range info.Deployer.Grants {
			if g.On == catalog.OnAnyResource {
				continue
			}
			for _, a := range deleteOnly(g, s) {
				for _, r := range scopes[g.On](e, s) {
					if res.Allows(a, r) {
						notes = append(notes, fmt.Sprintf("%s is granted on %s for a deletable resource, which also covers %s (%s)", a, r, s.Name(), reason(s)))
					}
				}
			}
		}
	}
	return sortedSet(notes)
}

// Allows reports whether a statement of the policies allows action on resource, matching IAM's wildcards
// in both and ignoring conditions. A resource given as a pattern (key/*) is matched as text, so it is
// allowed only by a statement at least as wide.
func (r *Result) Allows(action, resource string) bool {
	for _, p := range r.Policies {
		for _, st := range p.Document.Statement {
			if st.Effect != "Allow" {
				continue
			}
			if slices.ContainsFunc(st.Action, func(a string) bool { return globMatch(a, action, true) }) &&
				slices.ContainsFunc(st.Resource, func(pat string) bool { return globMatch(pat, resource, false) }) {
				return true
			}
		}
	}
	return false
}

// Statements is every statement of every policy.
func (r *Result) Statements() []policy.Statement {
	var out []policy.Statement
	for _, p := range r.Policies {
		out = append(out, p.Document.Statement...)
	}
	return out
}

// globs caches the compiled form of each pattern globMatch has seen.
var globs sync.Map

func globMatch(pattern, s string, fold bool) bool {
	key := fmt.Sprint(fold, pattern)
	if re, ok := globs.Load(key); ok {
		return re.(*regexp.Regexp).MatchString(s)
	}
	var b strings.Builder
	b.WriteString("^")
	if fold {
		b.WriteString("(?i)")
	}
	for _, c := range pattern {
		switch c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re := regexp.MustCompile(b.String())
	globs.Store(key, re)
	return re.MatchString(s)
}

func sortedSet(values []string) []string {
	out := slices.Clone(values)
	sort.Strings(out)
	return slices.Compact(out)
}
