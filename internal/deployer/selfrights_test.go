package deployer

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/catalog"
	"log-archive/internal/policy"
)

// holder is what a policy test knows about the stack whose deployer policy it checks.
type holder struct {
	account, partition string
	regions            []string
	boundary           string
	roles              []string          // the roles the stack creates, autonamed ones with a name filled in
	policies           []string          // the managed policies the stack creates, likewise
	attached           [][2]string       // each attachment's role and managed policy
	aliases            []string          // the stack's key aliases
	tags               map[string]string // the stack's tags on its keys
}

func holderOf(t *testing.T, f fixture) holder {
	t.Helper()
	e, err := PlanEnv(f.stack, f.plan)
	require.NoError(t, err)
	h := holder{account: e.Account, partition: e.Partition, regions: f.result.Regions, boundary: f.result.Boundary, tags: map[string]string{}}
	fill := func(arn string) string { return strings.ReplaceAll(arn, "*", "0a1b2c3") }
	for _, s := range managed(f.plan) {
		switch catalog.Type(s.NewState.Type) {
		case catalog.IAMRole:
			h.roles = append(h.roles, fill(e.roleARN(s)))
		case catalog.IAMPolicy:
			h.policies = append(h.policies, fill(e.policyARN(s)))
		case catalog.IAMRolePolicyAttachment:
			for _, p := range e.dependencies(s, catalog.IAMPolicy) {
				h.attached = append(h.attached, [2]string{fill(e.roleOf(str(s, "role"))), fill(e.policyARN(p))})
			}
		case catalog.KMSAlias:
			h.aliases = append(h.aliases, str(s, "name"))
		case catalog.KMSKey:
			tags, _ := s.NewState.Inputs["tags"].(map[string]any)
			for k, v := range tags {
				h.tags[k] = fmt.Sprint(v)
			}
		}
	}
	return h
}

// selfRightsViolations are the ways in which statements let their holder widen its own rights,
// each said as a sentence; none is the goal. Each refusal is checked beside a request that is allowed, so
// that it is the guard that refuses, not a missing grant.
func selfRightsViolations(statements []policy.Statement, h holder) []string {
	var out []string
	// The guards must hold whatever else the holder is granted (a Deny wins over every Allow of every
	// policy): guarded requests are asked with the generated statements and an Allow of everything.
	everything := append(slices.Clone(statements), policy.Statement{Sid: "AnythingElse", Effect: "Allow", Action: []string{"*"}, Resource: []string{"*"}})
	guarded := func(why string, r request) {
		if got, err := evaluate(everything, r); err != nil || got {
			out = append(out, fmt.Sprintf("%s, whatever else the holder is allowed: %s is allowed (%v)", why, r, err))
		}
	}
	ask := func(want bool, why string, r request) {
		got, err := evaluate(statements, r)
		if err != nil {
			out = append(out, err.Error())
		} else if got != want {
			verb := map[bool]string{true: "refused", false: "allowed"}[want]
			out = append(out, fmt.Sprintf("%s: %s is %s", why, r, verb))
		}
	}
	iam := func(res string) string { return fmt.Sprintf("arn:%s:iam::%s:%s", h.partition, h.account, res) }
	bounded := map[string][]string{"iam:PermissionsBoundary": {h.boundary}}
	other := map[string][]string{"iam:PermissionsBoundary": {iam("policy/AdministratorAccess")}}

	// A role of the stack: created, given a policy or a managed policy only with the boundary set.
	for _, role := range h.roles {
		ask(true, "the deployer creates the stack's role with the boundary", request{"iam:CreateRole", role, bounded})
		ask(true, "the deployer writes the stack's role policy under the boundary", request{"iam:PutRolePolicy", role, bounded})
		for _, a := range RoleBoundaryActions {
			guarded("a role without the boundary", request{a, role, nil})
			guarded("a role with another boundary", request{a, role, other})
		}
		ask(false, "attaching a policy the stack does not create", request{"iam:AttachRolePolicy", role,
			map[string][]string{"iam:PermissionsBoundary": {h.boundary}, "iam:PolicyARN": {iam("policy/AdministratorAccess")}}})
		guarded("removing the boundary", request{"iam:DeleteRolePermissionsBoundary", role, bounded})
		guarded("assuming a role the deployer can re-trust", request{"sts:AssumeRole", role, bounded})
		ask(true, "the deployer updates the stack role's trust (harmless: it cannot assume the role)", request{"iam:UpdateAssumeRolePolicy", role, bounded})
	}
	for _, a := range h.attached {
		ask(true, "the deployer attaches the stack's managed policy to its role", request{"iam:AttachRolePolicy", a[0],
			map[string][]string{"iam:PermissionsBoundary": {h.boundary}, "iam:PolicyARN": {a[1]}}})
	}
	// The boundary policy itself: never created, changed or deleted by the deployer.
	for _, a := range BoundaryPolicyActions {
		guarded("changing the boundary policy", request{a, h.boundary, nil})
	}
	for _, p := range h.policies {
		ask(true, "the deployer changes the stack's managed policy", request{"iam:CreatePolicyVersion", p, nil})
	}
	// Its own identity: the deploy and preview roles and the deployer policies, at any path.
	for _, own := range []string{iam("role/log-archive-github-deployer"), iam("role/log-archive/log-archive-github-deployer"),
		iam("role/log-archive-github-previewer"), iam("policy/log-archive-deployer-x"), iam("policy/log-archive/log-archive-deployer-x-1")} {
		for _, a := range []string{"iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRolePermissionsBoundary",
			"iam:PutRolePermissionsBoundary", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicyVersion"} {
			guarded("changing the deployer's own role or policy", request{a, own, bounded})
		}
	}
	// Keys: what changes a key only on keys with the stack's aliases; tagging on create only with the
	// stack's own tags.
	for _, region := range h.regions {
		key := fmt.Sprintf("arn:%s:kms:%s:%s:key/0a1b2c3d-0000-4000-a000-000000000000", h.partition, region, h.account)
		at := func(ctx map[string][]string) map[string][]string {
			ctx["aws:RequestedRegion"] = []string{region}
			return ctx
		}
		for _, a := range []string{"kms:PutKeyPolicy", "kms:TagResource", "kms:UntagResource"} {
			ask(false, "changing a key the stack did not create", request{a, key, at(map[string][]string{
				"kms:ResourceAliases": {"alias/someone-elses"}, "aws:TagKeys": {"owner"}, "aws:RequestTag/owner": {"me"}})})
			if len(h.aliases) > 0 {
				ask(true, "the deployer changes the stack's own key", request{a, key, at(map[string][]string{
					"kms:ResourceAliases": {h.aliases[0]}, "aws:TagKeys": {"owner"}, "aws:RequestTag/owner": {"me"}})})
			}
		}
		for k, v := range h.tags {
			ask(false, "re-tagging a key the stack did not create with another value", request{"kms:TagResource", key, at(map[string][]string{
				"aws:TagKeys": {k}, "aws:RequestTag/" + k: {v + "-other"}})})
		}
	}
	// Regions: every grant that no ARN scopes admits the stack's Regions only, and every regional ARN
	// names one of them.
	outside := "ap-northeast-3"
	for _, st := range statements {
		if st.Effect != "Allow" {
			continue
		}
		for _, res := range st.Resource {
			for _, a := range st.Action {
				if a == "sts:GetCallerIdentity" {
					continue // needs no permission: no policy can refuse it
				}
				ctx := satisfying(st)
				switch {
				case res == "*":
					ctx["aws:RequestedRegion"] = []string{outside}
					ask(false, "acting outside the stack's Regions", request{a, "*", ctx})
				case regionOf(res) != "":
					if !slices.Contains(h.regions, regionOf(res)) {
						out = append(out, fmt.Sprintf("%s names Region %s, outside the stack's %v", st.Sid, regionOf(res), h.regions))
					}
					ctx["aws:RequestedRegion"] = []string{outside}
					ask(false, "acting outside the stack's Regions", request{a, withRegion(res, outside), ctx})
				}
			}
		}
	}
	return out
}

// No generated policy lets its holder change its own permissions, for every fixture stack:
// create or change a role without the boundary, remove or change the boundary, change the boundary
// policy, assume the roles it can re-trust, change its own role or policies, change or re-tag keys it did
// not create, act outside the stack's Regions.
func TestPolicy_HolderCannotWidenItsOwnRights(t *testing.T) {
	for _, name := range []string{"destination", "source", "source-large"} {
		t.Run(name, func(t *testing.T) {
			f := planFixture(t, name)
			h := holderOf(t, f)
			if name != "destination" {
				require.NotEmpty(t, h.roles)
			}
			if name == "source-large" {
				require.NotEmpty(t, h.attached, "100 buckets use managed policies")
			}
			assert.Empty(t, selfRightsViolations(f.result.Statements(), h))
		})
	}
}

// The policy test fails when a guard is dropped or a condition removed: each mutation of the generated
// policy lets a violation through.
func TestPolicy_HolderCannotWidenItsOwnRights_FailsWhenAGuardGoes(t *testing.T) {
	// The source fixture has keys, aliases and tags; the large one managed policies and attachments.
	var stacks []struct {
		statements []policy.Statement
		h          holder
	}
	for _, name := range []string{"source", "source-large"} {
		f := planFixture(t, name)
		h := holderOf(t, f)
		require.Empty(t, selfRightsViolations(f.result.Statements(), h), "the policy of %s as generated", name)
		stacks = append(stacks, struct {
			statements []policy.Statement
			h          holder
		}{f.result.Statements(), h})
	}
	mutate := func(statements []policy.Statement, change func(st *policy.Statement) bool) []policy.Statement {
		out := make([]policy.Statement, 0, len(statements))
		for _, st := range statements {
			st.Condition = cloneCondition(st.Condition)
			if change(&st) {
				continue // dropped
			}
			out = append(out, st)
		}
		return out
	}
	tests := []struct {
		name   string
		change func(st *policy.Statement) bool // true drops the statement
	}{
		{"drop DenyRoleWithoutBoundary", func(st *policy.Statement) bool { return st.Sid == "DenyRoleWithoutBoundary" }},
		{"drop DenyBoundaryRemoval", func(st *policy.Statement) bool { return st.Sid == "DenyBoundaryRemoval" }},
		{"drop DenyBoundaryPolicyChange", func(st *policy.Statement) bool { return st.Sid == "DenyBoundaryPolicyChange" }},
		{"drop DenyDeployerSelfChange", func(st *policy.Statement) bool { return st.Sid == "DenyDeployerSelfChange" }},
		{"drop DenyAssumeStackRoles", func(st *policy.Statement) bool { return st.Sid == "DenyAssumeStackRoles" }},
		{"drop the boundary condition", func(st *policy.Statement) bool {
			if st.Sid == "DenyRoleWithoutBoundary" {
				st.Condition = nil
			}
			return false
		}},
		{"drop the key alias condition", func(st *policy.Statement) bool {
			if st.Sid == "KmsKeyChange" {
				delete(st.Condition, "ForAnyValue:StringEquals")
			}
			return false
		}},
		{"drop the tag values condition", func(st *policy.Statement) bool {
			if st.Sid == "KmsKeyTag" {
				delete(st.Condition["StringEquals"], "aws:RequestTag/team")
			}
			return false
		}},
		{"drop the Region condition", func(st *policy.Statement) bool {
			if st.Sid == "KmsKeyCreate" {
				delete(st.Condition["StringEquals"], "aws:RequestedRegion")
			}
			return false
		}},
		{"drop the attached-policy condition", func(st *policy.Statement) bool {
			if strings.HasPrefix(st.Sid, "IamRolePolicyAttachment") {
				delete(st.Condition, "ArnLike")
			}
			return false
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var violations []string
			for _, st := range stacks {
				violations = append(violations, selfRightsViolations(mutate(st.statements, tt.change), st.h)...)
			}
			assert.NotEmpty(t, violations)
		})
	}
}

func cloneCondition(c policy.Conditions) policy.Conditions {
	if c == nil {
		return nil
	}
	out := policy.Conditions{}
	for op, keys := range c {
		out[op] = map[string]policy.Strings{}
		for k, v := range keys {
			out[op][k] = v
		}
	}
	return out
}

// The evaluator itself: what each operator does, and that it refuses one it does not know.
func TestEvaluate(t *testing.T) {
	allow := policy.Statement{Sid: "A", Effect: "Allow", Action: []string{"kms:Tag*"}, Resource: []string{"arn:aws:kms:eu-west-1:1:key/*"},
		Condition: policy.Conditions{"ForAnyValue:StringEquals": {"kms:ResourceAliases": {"alias/a"}}}}
	deny := policy.Statement{Sid: "D", Effect: "Deny", Action: []string{"kms:*"}, Resource: []string{"*"},
		Condition: policy.Conditions{"StringNotEquals": {"aws:RequestedRegion": {"eu-west-1"}}}}
	key := "arn:aws:kms:eu-west-1:1:key/k"
	tests := []struct {
		name       string
		statements []policy.Statement
		r          request
		want       bool
	}{
		{"allowed", []policy.Statement{allow}, request{"kms:TagResource", key, map[string][]string{"kms:ResourceAliases": {"alias/b", "alias/a"}}}, true},
		{"action case-insensitive", []policy.Statement{allow}, request{"KMS:tagresource", key, map[string][]string{"kms:ResourceAliases": {"alias/a"}}}, true},
		{"condition key absent", []policy.Statement{allow}, request{"kms:TagResource", key, nil}, false},
		{"other resource", []policy.Statement{allow}, request{"kms:TagResource", "arn:aws:kms:us-east-1:1:key/k", map[string][]string{"kms:ResourceAliases": {"alias/a"}}}, false},
		{"deny wins", []policy.Statement{allow, deny}, request{"kms:TagResource", key, map[string][]string{"kms:ResourceAliases": {"alias/a"}, "aws:RequestedRegion": {"us-east-1"}}}, false},
		{"negated operator holds for an absent key", []policy.Statement{deny}, request{"kms:TagResource", key, nil}, false},
		{"nothing allows", nil, request{"kms:TagResource", key, nil}, false},
	}
	for _, tt := range tests {
		got, err := evaluate(tt.statements, tt.r)
		require.NoError(t, err, tt.name)
		assert.Equal(t, tt.want, got, tt.name)
	}
	_, err := evaluate([]policy.Statement{{Sid: "X", Effect: "Allow", Action: []string{"*"}, Resource: []string{"*"},
		Condition: policy.Conditions{"NumericLessThan": {"k": {"1"}}}}}, request{"s3:GetObject", "*", nil})
	assert.ErrorContains(t, err, "NumericLessThan")
}

// The role boundary allows everything the roles' own policies grant (a boundary that refused one would
// stop replication), and nothing in IAM, STS or Organizations.
func TestRoleBoundaryPolicy(t *testing.T) {
	boundary := RoleBoundaryPolicy("aws").Statement
	for _, name := range []string{"source", "source-large"} {
		f := planFixture(t, name)
		var granted int
		for _, s := range managed(f.plan) {
			typ := catalog.Type(s.NewState.Type)
			if typ != catalog.IAMRolePolicy && typ != catalog.IAMPolicy {
				continue
			}
			var doc policy.Document
			require.NoError(t, json.Unmarshal([]byte(str(s, "policy")), &doc), s.Name())
			for _, cs := range doc.Statement {
				for _, a := range cs.Action {
					for _, r := range cs.Resource {
						granted++
						ok, err := evaluate(boundary, request{a, r, satisfying(cs)})
						require.NoError(t, err)
						assert.True(t, ok, "%s: the boundary refuses %s on %s, which %s grants", name, a, r, s.Name())
					}
				}
			}
		}
		assert.Positive(t, granted, name)
	}
	for _, a := range []string{"iam:PutRolePolicy", "iam:CreateRole", "iam:PassRole", "sts:AssumeRole", "organizations:LeaveOrganization", "kms:PutKeyPolicy", "kms:CreateGrant", "s3:GetObject", "s3:PutBucketPolicy"} {
		ok, err := evaluate(boundary, request{a, "*", map[string][]string{"kms:ViaService": {"s3.eu-west-1.amazonaws.com"}}})
		require.NoError(t, err)
		assert.False(t, ok, "the boundary allows %s", a)
	}
	ok, _ := evaluate(boundary, request{"kms:Decrypt", "arn:aws:kms:eu-west-1:1:key/k", nil})
	assert.False(t, ok, "KMS only through S3")
}
