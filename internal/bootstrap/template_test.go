package bootstrap

import (
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/deployer"
	"log-archive/internal/onboard"
	"log-archive/internal/program"
	"log-archive/internal/testfixture"
)

// memberArgs are the bootstrap inputs of the fixture fleet: its real deployer policies.
func memberArgs(t *testing.T) MemberArgs {
	t.Helper()
	dir := testfixture.Project(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "fleet.yaml"), []byte(testfixture.Fleet()), 0o644))
	source, archive, err := onboard.PlanSample(dir, program.Program)
	require.NoError(t, err)
	a := MemberArgs{Repository: "acme/log-archive", SampleAccount: onboard.SampleAccount, Boundary: deployer.RoleBoundaryPolicy("${AWS::Partition}")}
	for _, p := range []struct {
		planned onboard.Planned
		into    *[]any
	}{{source, &a.SourcePolicies}, {archive, &a.DestinationPolicies}} {
		res, err := deployer.Generate(p.planned.Stack, p.planned.Plan)
		require.NoError(t, err)
		for _, pol := range res.Policies {
			*p.into = append(*p.into, pol.Document)
		}
	}
	return a
}

// account is what the template resolves to in one account: Fn::Sub filled, Fn::If decided by the
// account's StackKind and CreateOidcProvider, Refs of the template's own policies made ARNs.
type account struct {
	id          string
	destination bool
	createOIDC  bool
}

func (acc account) resolve(t Template, v any) any {
	switch x := v.(type) {
	case map[string]any:
		if s, ok := x["Fn::Sub"].(string); ok {
			return strings.NewReplacer("${AWS::AccountId}", acc.id, "${AWS::Partition}", "aws").Replace(s)
		}
		if args, ok := x["Fn::If"].([]any); ok {
			cond := map[string]bool{"IsDestination": acc.destination, "CreateOidc": acc.createOIDC, "IsSource": !acc.destination}[args[0].(string)]
			if cond {
				return acc.resolve(t, args[1])
			}
			return acc.resolve(t, args[2])
		}
		if ref, ok := x["Ref"].(string); ok {
			r := t.Resources[ref]
			switch r.Type {
			case "AWS::IAM::ManagedPolicy":
				return "arn:aws:iam::" + acc.id + ":policy" + r.Properties["Path"].(string) + r.Properties["ManagedPolicyName"].(string)
			case "AWS::IAM::OIDCProvider":
				return "arn:aws:iam::" + acc.id + ":oidc-provider/token.actions.githubusercontent.com"
			}
		}
		out := map[string]any{}
		for k, e := range x {
			out[k] = acc.resolve(t, e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = acc.resolve(t, x[i])
		}
		return out
	}
	return v
}

// statement is a resolved policy statement.
type statement struct {
	Sid         string
	Effect      string
	Principal   map[string]any
	Action      []string
	Resource    []string
	NotResource []string
	Condition   map[string]map[string][]string
}

func statements(t *testing.T, doc any) []statement {
	t.Helper()
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	var raw struct{ Statement []map[string]any }
	require.NoError(t, json.Unmarshal(b, &raw))
	var out []statement
	for _, s := range raw.Statement {
		st := statement{Effect: s["Effect"].(string), Action: list(s["Action"]), Resource: list(s["Resource"]), NotResource: list(s["NotResource"])}
		st.Sid, _ = s["Sid"].(string)
		st.Principal, _ = s["Principal"].(map[string]any)
		if c, ok := s["Condition"].(map[string]any); ok {
			st.Condition = map[string]map[string][]string{}
			for op, kv := range c {
				st.Condition[op] = map[string][]string{}
				for k, v := range kv.(map[string]any) {
					st.Condition[op][k] = list(v)
				}
			}
		}
		out = append(out, st)
	}
	return out
}

func list(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, e.(string))
		}
		return out
	}
	return nil
}

func matches(pattern, s string) bool {
	ok, _ := path.Match(strings.ReplaceAll(pattern, "/", "\x00"), strings.ReplaceAll(s, "/", "\x00"))
	return ok || pattern == "*"
}

// allowed is IAM's answer for one action on one resource from a role's resolved identity policies,
// without conditions: an explicit Deny wins, then an Allow.
func allowed(policies [][]statement, action, resource string) bool {
	allow := false
	for _, p := range policies {
		for _, s := range p {
			act := false
			for _, a := range s.Action {
				act = act || matches(strings.ToLower(a), strings.ToLower(action))
			}
			res := false
			for _, r := range s.Resource {
				res = res || matches(r, resource)
			}
			if !act || !res {
				continue
			}
			if s.Effect == "Deny" && s.Condition == nil {
				return false
			}
			allow = allow || s.Effect == "Allow"
		}
	}
	return allow
}

func TestMemberTemplate_TrustPolicies(t *testing.T) {
	tmpl, err := MemberTemplate(memberArgs(t))
	require.NoError(t, err)
	for _, tc := range []struct {
		name    string
		role    string
		account account
		subs    []string
	}{
		{"deploy role, source account", "DeployRole", account{"222222222222", false, true},
			[]string{"repo:acme/log-archive:environment:deploy-canary", "repo:acme/log-archive:environment:deploy-sources"}},
		{"deploy role, archive account", "DeployRole", account{"111111111111", true, true},
			[]string{"repo:acme/log-archive:environment:deploy-destination"}},
		{"preview role", "PreviewRole", account{"222222222222", false, true},
			[]string{"repo:acme/log-archive:pull_request", "repo:acme/log-archive:environment:fleet-health"}},
		{"deploy role, an account that has its own OIDC provider", "DeployRole", account{"333333333333", false, false},
			[]string{"repo:acme/log-archive:environment:deploy-canary", "repo:acme/log-archive:environment:deploy-sources"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			trust := statements(t, tc.account.resolve(tmpl, tmpl.Resources[tc.role].Properties["AssumeRolePolicyDocument"]))
			require.Len(t, trust, 1)
			assert.Equal(t, statement{
				Sid: "GitHubActionsOIDC", Effect: "Allow",
				Principal: map[string]any{"Federated": "arn:aws:iam::" + tc.account.id + ":oidc-provider/token.actions.githubusercontent.com"},
				Action:    []string{"sts:AssumeRoleWithWebIdentity"},
				Condition: map[string]map[string][]string{"StringEquals": {
					"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"},
					"token.actions.githubusercontent.com:sub": tc.subs,
				}},
			}, trust[0], "StringEquals only: no StringLike, no wildcard (GH4)")
		})
	}
	provider := tmpl.Resources["GitHubOidcProvider"]
	assert.Equal(t, "CreateOidc", provider.Condition)
	assert.Equal(t, "https://token.actions.githubusercontent.com", provider.Properties["Url"])
	assert.Equal(t, []string{"sts.amazonaws.com"}, provider.Properties["ClientIdList"])
}

// rolePolicies are a role's identity policies in one account: its managed policies and inline ones.
func rolePolicies(t *testing.T, tmpl Template, role string, acc account) (managedARNs []string, policies [][]statement) {
	props := acc.resolve(tmpl, tmpl.Resources[role].Properties).(map[string]any)
	for _, arn := range props["ManagedPolicyArns"].([]any) {
		managedARNs = append(managedARNs, arn.(string))
		for name, r := range tmpl.Resources {
			if r.Type == "AWS::IAM::ManagedPolicy" && name != "RoleBoundary" && acc.resolve(tmpl, map[string]any{"Ref": name}) == arn {
				policies = append(policies, statements(t, acc.resolve(tmpl, r.Properties["PolicyDocument"])))
			}
		}
	}
	for _, p := range props["Policies"].([]any) {
		policies = append(policies, statements(t, p.(map[string]any)["PolicyDocument"]))
	}
	return managedARNs, policies
}

func TestMemberTemplate_PreviewRoleCannotWrite(t *testing.T) {
	for _, stateBucket := range []string{"", "acme-pulumi-state"} {
		t.Run("state bucket "+stateBucket, func(t *testing.T) {
			args := memberArgs(t)
			args.StateBucket = stateBucket
			tmpl, err := MemberTemplate(args)
			require.NoError(t, err)
			acc := account{"222222222222", false, true}
			managed, policies := rolePolicies(t, tmpl, "PreviewRole", acc)
			assert.Equal(t, []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}, managed, "AWS's read-only policy, nothing else managed")
			noObjects := findStatement(policies, "NoObjectContents")
			assert.Equal(t, "Deny", noObjects.Effect)
			assert.Equal(t, []string{"s3:GetObject", "s3:GetObjectVersion"}, noObjects.Action, "ReadOnlyAccess would read the logs themselves")
			if stateBucket == "" {
				assert.Equal(t, []string{"*"}, noObjects.Resource)
			} else {
				assert.Equal(t, []string{"arn:aws:s3:::acme-pulumi-state/*"}, noObjects.NotResource, "every object but the state's")
			}
			for _, p := range policies {
				for _, s := range p {
					if s.Sid == "NoObjectContents" {
						continue
					}
					assert.Equal(t, "Allow", s.Effect)
					for _, a := range s.Action {
						read := a == "access-analyzer:CheckNoPublicAccess" || strings.HasPrefix(a, "s3:Get") || strings.HasPrefix(a, "s3:List")
						if read {
							continue
						}
						t.Errorf("the preview role may %s: a preview writes nothing to the backend (PU3)", a)
					}
				}
			}
			assert.Equal(t, map[string]any{"Ref": "RoleBoundary"}, tmpl.Resources["PreviewRole"].Properties["PermissionsBoundary"])
		})
	}
}

func TestMemberTemplate_DeployRoleCannotWidenItsRights(t *testing.T) {
	tmpl, err := MemberTemplate(memberArgs(t))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"Ref": "RoleBoundary"}, tmpl.Resources["DeployRole"].Properties["PermissionsBoundary"])
	boundary := tmpl.Resources["RoleBoundary"].Properties
	assert.Equal(t, "log-archive-role-boundary", boundary["ManagedPolicyName"])
	assert.Equal(t, "/log-archive/", boundary["Path"])

	for _, acc := range []account{{"222222222222", false, true}, {"111111111111", true, true}} {
		_, policies := rolePolicies(t, tmpl, "DeployRole", acc)
		require.GreaterOrEqual(t, len(policies), 2, "the deployer policy and the guard")
		own := "arn:aws:iam::" + acc.id + ":"
		for _, tc := range []struct{ action, resource string }{
			{"iam:DeleteRolePermissionsBoundary", own + "role/log-archive-github-deployer"},
			{"iam:DeleteRolePermissionsBoundary", own + "role/log-archive/log-archive-replication"},
			{"iam:PutRolePermissionsBoundary", own + "role/log-archive-github-deployer"},
			{"iam:CreatePolicyVersion", own + "policy/log-archive/log-archive-role-boundary"},
			{"iam:SetDefaultPolicyVersion", own + "policy/log-archive/log-archive-role-boundary"},
			{"iam:DeletePolicy", own + "policy/log-archive/log-archive-role-boundary"},
			{"iam:CreatePolicyVersion", own + "policy/log-archive/log-archive-deployer-source-1"},
			{"iam:AttachRolePolicy", own + "role/log-archive-github-deployer"},
			{"iam:PutRolePolicy", own + "role/log-archive-github-deployer"},
			{"iam:DeleteRolePolicy", own + "role/log-archive-github-deployer"},
			{"iam:UpdateAssumeRolePolicy", own + "role/log-archive-github-deployer"},
			{"iam:UpdateAssumeRolePolicy", own + "role/log-archive-github-previewer"},
			{"iam:AttachRolePolicy", own + "role/log-archive-github-previewer"},
			{"iam:UpdateOpenIDConnectProviderThumbprint", own + "oidc-provider/token.actions.githubusercontent.com"},
		} {
			assert.False(t, allowed(policies, tc.action, tc.resource), "%s: %s on %s", acc.id, tc.action, tc.resource)
		}
		createRole := findStatement(policies, "NewRolesCarryTheBoundary")
		assert.Equal(t, map[string]map[string][]string{"StringNotEquals": {"iam:PermissionsBoundary": {own + "policy/log-archive/log-archive-role-boundary"}}},
			createRole.Condition, "a role created without the boundary is denied")
	}
	_, policies := rolePolicies(t, tmpl, "DeployRole", account{"222222222222", false, true})
	assert.True(t, allowed(policies, "iam:CreateRole", "arn:aws:iam::222222222222:role/log-archive/log-archive-replication"),
		"the deployer policy still lets it create the replication role (with the boundary)")
	assert.True(t, allowed(policies, "s3:PutReplicationConfiguration", "arn:aws:s3:::acme-222222222222-logs-eu-west-1"),
		"the sample's bucket name is the account's own bucket name")
}

func findStatement(policies [][]statement, sid string) statement {
	for _, p := range policies {
		for _, s := range p {
			if s.Sid == sid {
				return s
			}
		}
	}
	return statement{}
}

func TestStackSetTemplate(t *testing.T) {
	member := memberArgs(t)
	tmpl, body, err := StackSetTemplate(StackSetArgs{Member: member, OrganizationalUnitIDs: []string{"ou-ab12-11111111", "ou-ab12-22222222"},
		Region: "eu-west-1", CallAs: "DELEGATED_ADMIN", ArchiveAccount: "111111111111", ExistingOIDCAccounts: []string{"333333333333"}})
	require.NoError(t, err)
	require.Len(t, tmpl.Resources, 1)
	ss := tmpl.Resources["BootstrapStackSet"]
	assert.Equal(t, "AWS::CloudFormation::StackSet", ss.Type)
	p := ss.Properties
	assert.Equal(t, "SERVICE_MANAGED", p["PermissionModel"])
	assert.Equal(t, "DELEGATED_ADMIN", p["CallAs"])
	assert.Equal(t, map[string]any{"Enabled": true, "RetainStacksOnAccountRemoval": true}, p["AutoDeployment"])
	assert.Equal(t, []string{"CAPABILITY_NAMED_IAM"}, p["Capabilities"])
	ous := []string{"ou-ab12-11111111", "ou-ab12-22222222"}
	region := []string{"eu-west-1"}
	assert.Equal(t, []any{
		map[string]any{"DeploymentTargets": map[string]any{"OrganizationalUnitIds": ous, "AccountFilterType": "DIFFERENCE", "Accounts": []string{"111111111111", "333333333333"}}, "Regions": region},
		map[string]any{"DeploymentTargets": map[string]any{"OrganizationalUnitIds": ous, "AccountFilterType": "INTERSECTION", "Accounts": []string{"111111111111"}}, "Regions": region,
			"ParameterOverrides": []any{map[string]any{"ParameterKey": "StackKind", "ParameterValue": "destination"}}},
		map[string]any{"DeploymentTargets": map[string]any{"OrganizationalUnitIds": ous, "AccountFilterType": "INTERSECTION", "Accounts": []string{"333333333333"}}, "Regions": region,
			"ParameterOverrides": []any{map[string]any{"ParameterKey": "CreateOidcProvider", "ParameterValue": "false"}}},
	}, p["StackInstancesGroup"])
	assert.Equal(t, string(body), p["TemplateBody"])
	assert.LessOrEqual(t, len(body), TemplateBodyLimit)
	parsed, err := ParseTemplate(body)
	require.NoError(t, err)
	want, err := MemberTemplate(member)
	require.NoError(t, err)
	wantJSON, _ := want.JSON(false)
	gotJSON, _ := parsed.JSON(false)
	assert.JSONEq(t, string(wantJSON), string(gotJSON), "the StackSet carries the member template")
	rendered, err := tmpl.JSON(true)
	require.NoError(t, err)
	assert.Less(t, len(rendered), TemplateBodyLimit, "aws cloudformation deploy sends it inline, without --s3-bucket")
}

func TestStackSetTemplate_RefusesBadArgs(t *testing.T) {
	member := memberArgs(t)
	for _, tc := range []struct {
		name string
		edit func(*StackSetArgs)
		want string
	}{
		{"no OU", func(a *StackSetArgs) { a.OrganizationalUnitIDs = nil }, "give --ou"},
		{"an account ID for an OU", func(a *StackSetArgs) { a.OrganizationalUnitIDs = []string{"222222222222"} }, `--ou "222222222222" is not an OU ID`},
		{"no Region", func(a *StackSetArgs) { a.Region = "" }, "give --region"},
		{"call-as", func(a *StackSetArgs) { a.CallAs = "ADMIN" }, `--call-as "ADMIN"`},
		{"repository", func(a *StackSetArgs) { a.Member.Repository = "acme" }, `--repo "acme" is not OWNER/REPO`},
		{"archive account", func(a *StackSetArgs) { a.ArchiveAccount = "1111" }, `"1111" is not a 12-digit account ID`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := StackSetArgs{Member: member, OrganizationalUnitIDs: []string{"ou-ab12-11111111"}, Region: "eu-west-1", CallAs: "SELF"}
			tc.edit(&a)
			_, _, err := StackSetTemplate(a)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
