package bootstrap

import (
	"fmt"
	"regexp"

	"log-archive/internal/policy"
)

// Names every account shares (shared decisions): the roles .github/stacks.yaml names, and the boundary
// every role the program creates carries.
const (
	DeployRoleName     = "log-archive-github-deployer"
	PreviewRoleName    = "log-archive-github-previewer"
	BoundaryPolicyName = "log-archive-role-boundary"
	PolicyPath         = "/log-archive/"

	// GitHubOIDCHost is GitHub Actions' token issuer; its audience for AWS is sts.amazonaws.com (GH4).
	GitHubOIDCHost     = "token.actions.githubusercontent.com"
	GitHubOIDCAudience = "sts.amazonaws.com"
)

// The GitHub environments of the shared decisions: each deploy wave has its own, with required reviewers;
// fleet-health runs the daily read-only checks.
const (
	EnvDeployDestination = "deploy-destination"
	EnvDeployCanary      = "deploy-canary"
	EnvDeploySources     = "deploy-sources"
	EnvFleetHealth       = "fleet-health"
)

// The member template's parameters, which the StackSet sets per group of accounts.
const (
	ParamStackKind          = "StackKind"
	ParamCreateOIDCProvider = "CreateOidcProvider"
)

// MemberArgs is what the member template is made of.
type MemberArgs struct {
	// Repository is OWNER/REPO, the only repository whose workflows may assume the roles.
	Repository string
	// Boundary is the permissions boundary document (deployer.RoleBoundaryPolicy).
	Boundary any
	// SourcePolicies and DestinationPolicies are the deployer policy documents of a source stack and of
	// the archive stack (plan deployer-policy), generated for SampleAccount.
	SourcePolicies, DestinationPolicies []any
	// SampleAccount is the account the policies were generated for; the template puts each account's own
	// ID in its place.
	SampleAccount string
	// StateBucket is the S3 bucket of a self-managed Pulumi backend, "" for Pulumi Cloud.
	StateBucket string
}

var repositoryPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

func (a MemberArgs) validate() error {
	var problems []string
	if !repositoryPattern.MatchString(a.Repository) {
		problems = append(problems, fmt.Sprintf("--repo %q is not OWNER/REPO (GitHub's sub claim names the repository exactly, GH4)", a.Repository))
	}
	if a.Boundary == nil {
		problems = append(problems, "no permissions boundary document")
	}
	if len(a.SourcePolicies) == 0 {
		problems = append(problems, "no deployer policy for source stacks")
	}
	if len(a.SourcePolicies) > 9 || len(a.DestinationPolicies) > 9 {
		problems = append(problems, "more than 9 deployer policies: a role holds at most 10 managed policies by default, and the preview policy takes one")
	}
	if len(problems) > 0 {
		return fmt.Errorf("bootstrap template: %v", problems)
	}
	return nil
}

// envSub is the sub claim of a job that runs in a GitHub environment; prSub of a pull-request job (GH4).
func (a MemberArgs) envSub(env string) string { return "repo:" + a.Repository + ":environment:" + env }
func (a MemberArgs) prSub() string            { return "repo:" + a.Repository + ":pull_request" }

// oidcProviderARN is the account's GitHub OIDC provider, created by this template or already there.
const oidcProviderARN = "arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/" + GitHubOIDCHost

// trust is a role trust policy for GitHub's OIDC tokens of this repository with exactly these subjects:
// StringEquals, never StringLike, so no other branch, environment or repository matches (GH4).
func (a MemberArgs) trust(envs ...string) policy.Document {
	subs := policy.Strings{}
	for _, e := range envs {
		subs = append(subs, e)
	}
	return policy.Document{Version: "2012-10-17", Statement: []policy.Statement{{
		Sid: "GitHubActionsOIDC", Effect: "Allow",
		Principal: &policy.Principal{Federated: policy.Strings{oidcProviderARN}},
		Action:    policy.Strings{"sts:AssumeRoleWithWebIdentity"},
		Condition: policy.Conditions{"StringEquals": {
			GitHubOIDCHost + ":aud": {GitHubOIDCAudience},
			GitHubOIDCHost + ":sub": subs,
		}},
	}}}
}

const (
	boundaryARN    = "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy" + PolicyPath + BoundaryPolicyName
	ownPoliciesARN = "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy" + PolicyPath + "*"
	ownRolesARN    = "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/log-archive-github-*"
)

// guard is the deploy role's inline policy of explicit denies (IAM1): it cannot remove a permissions
// boundary, create or re-bound a role without this one, change the boundary or its own deployer policies,
// change its own or the preview role's policies or trust, or touch the OIDC provider. An explicit deny
// wins over any allow, so a deployer policy that grew too wide still cannot widen the deployer's rights.
func guard() policy.Document {
	return policy.Document{Version: "2012-10-17", Statement: []policy.Statement{
		{Sid: "KeepEveryBoundary", Effect: "Deny", Action: policy.Strings{"iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"}, Resource: policy.Strings{"*"}},
		{Sid: "NewRolesCarryTheBoundary", Effect: "Deny", Action: policy.Strings{"iam:CreateRole", "iam:PutRolePermissionsBoundary"}, Resource: policy.Strings{"*"},
			Condition: policy.Conditions{"StringNotEquals": {"iam:PermissionsBoundary": {boundaryARN}}}},
		{Sid: "BoundaryAndDeployerPoliciesUnchanged", Effect: "Deny", Action: policy.Strings{
			"iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion",
			"iam:TagPolicy", "iam:UntagPolicy"}, Resource: policy.Strings{ownPoliciesARN}},
		{Sid: "GitHubRolesUnchanged", Effect: "Deny", Action: policy.Strings{
			"iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:UpdateAssumeRolePolicy",
			"iam:UpdateRole", "iam:DeleteRole", "iam:PutRolePermissionsBoundary", "iam:TagRole", "iam:UntagRole"}, Resource: policy.Strings{ownRolesARN}},
		{Sid: "OIDCProviderUnchanged", Effect: "Deny", Action: policy.Strings{
			"iam:CreateOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint",
			"iam:AddClientIDToOpenIDConnectProvider", "iam:RemoveClientIDFromOpenIDConnectProvider"}, Resource: policy.Strings{"*"}},
	}}
}

// previewPolicy is the preview role's own policy beside AWS's ReadOnlyAccess: Access Analyzer's public
// access check (AA1), no object contents (logs stay unread by pull requests), and the state of a
// self-managed backend, read only: a preview on a DIY backend takes no lock and writes no checkpoint,
// history or backup (PU3; the CLI source lines are in docs/pipeline.md, "Does pulumi preview write?").
func (a MemberArgs) previewPolicy() policy.Document {
	d := policy.Document{Version: "2012-10-17", Statement: []policy.Statement{
		{Sid: "CheckNoPublicAccess", Effect: "Allow", Action: policy.Strings{"access-analyzer:CheckNoPublicAccess"}, Resource: policy.Strings{"*"}},
	}}
	// ReadOnlyAccess reads every object; a pull-request job has no business with the logs themselves.
	noObjects := policy.Statement{Sid: "NoObjectContents", Effect: "Deny", Action: policy.Strings{"s3:GetObject", "s3:GetObjectVersion"}, Resource: policy.Strings{"*"}}
	if a.StateBucket != "" {
		noObjects.Resource, noObjects.NotResource = nil, policy.Strings{"arn:${AWS::Partition}:s3:::" + a.StateBucket + "/*"}
	}
	d.Statement = append(d.Statement, noObjects)
	if a.StateBucket != "" {
		bucket := "arn:${AWS::Partition}:s3:::" + a.StateBucket
		d.Statement = append(d.Statement,
			policy.Statement{Sid: "ReadPulumiState", Effect: "Allow", Action: policy.Strings{"s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"},
				Resource: policy.Strings{bucket, bucket + "/*"}})
	}
	return d
}

// deployStatePolicy lets the deploy role read and write the self-managed backend's state.
func (a MemberArgs) deployStatePolicy() policy.Document {
	bucket := "arn:${AWS::Partition}:s3:::" + a.StateBucket
	return policy.Document{Version: "2012-10-17", Statement: []policy.Statement{
		{Sid: "PulumiStateBucket", Effect: "Allow", Action: policy.Strings{"s3:ListBucket", "s3:GetBucketLocation"}, Resource: policy.Strings{bucket}},
		{Sid: "PulumiStateObjects", Effect: "Allow", Action: policy.Strings{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, Resource: policy.Strings{bucket + "/*"}},
	}}
}

// MemberTemplate is the template each account runs: as a StackSet instance in member accounts, or
// deployed directly (aws cloudformation deploy) where a StackSet does not reach, such as the management
// account (SS2). StackKind says which deployer policy and which deploy environment the account gets;
// CreateOidcProvider=false uses a GitHub OIDC provider the account already has (IAM allows one per URL).
func MemberTemplate(a MemberArgs) (Template, error) {
	if err := a.validate(); err != nil {
		return Template{}, err
	}
	t := Template{
		AWSTemplateFormatVersion: "2010-09-09",
		Description:              "log-archive: the GitHub OIDC provider, the preview and deploy roles GitHub Actions of " + a.Repository + " assume, and the permissions boundary (generated by go run ./cmd/fleet bootstrap-template)",
		Parameters: map[string]Parameter{
			ParamStackKind: {Type: "String", Default: "source", AllowedValues: []string{"source", "destination"},
				Description: "destination in the archive account (deploy role trusted for " + EnvDeployDestination + "), source elsewhere (" + EnvDeployCanary + " and " + EnvDeploySources + ")"},
			ParamCreateOIDCProvider: {Type: "String", Default: "true", AllowedValues: []string{"true", "false"},
				Description: "false where the account already has the " + GitHubOIDCHost + " provider (one per account)"},
		},
		Conditions: map[string]any{
			"IsDestination": map[string]any{"Fn::Equals": []any{map[string]any{"Ref": ParamStackKind}, "destination"}},
			"CreateOidc":    map[string]any{"Fn::Equals": []any{map[string]any{"Ref": ParamCreateOIDCProvider}, "true"}},
			"IsSource":      map[string]any{"Fn::Not": []any{map[string]any{"Condition": "IsDestination"}}},
		},
		Resources: map[string]Resource{},
		Outputs: map[string]Output{
			"DeployRoleArn":  {Description: "the role .github/stacks.yaml names as role", Value: map[string]any{"Fn::GetAtt": []string{"DeployRole", "Arn"}}},
			"PreviewRoleArn": {Description: "the role .github/stacks.yaml names as previewRole", Value: map[string]any{"Fn::GetAtt": []string{"PreviewRole", "Arn"}}},
			"BoundaryArn":    {Description: "the permissions boundary every role the program creates carries", Value: map[string]any{"Ref": "RoleBoundary"}},
		},
	}
	t.Resources["GitHubOidcProvider"] = Resource{Type: "AWS::IAM::OIDCProvider", Condition: "CreateOidc", Properties: map[string]any{
		"Url":          "https://" + GitHubOIDCHost,
		"ClientIdList": []string{GitHubOIDCAudience},
		// AWS checks GitHub's keys through its own trusted CAs; older template schemas still require a list.
		"ThumbprintList": []string{"6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"},
	}}
	boundary, err := placeAccount(a.Boundary, a.SampleAccount)
	if err != nil {
		return Template{}, err
	}
	if err := t.add("RoleBoundary", "AWS::IAM::ManagedPolicy", "", map[string]any{
		"ManagedPolicyName": BoundaryPolicyName, "Path": PolicyPath,
		"Description":    "Permissions boundary of every IAM role log-archive creates, and of its deploy role",
		"PolicyDocument": boundary,
	}); err != nil {
		return Template{}, err
	}
	sourceRefs, err := t.deployerPolicies("SourceDeployerPolicy", "IsSource", "source", a.SourcePolicies, a.SampleAccount)
	if err != nil {
		return Template{}, err
	}
	destRefs, err := t.deployerPolicies("DestinationDeployerPolicy", "IsDestination", "destination", a.DestinationPolicies, a.SampleAccount)
	if err != nil {
		return Template{}, err
	}
	deployPolicies := []any{map[string]any{"PolicyName": "log-archive-deployer-guard", "PolicyDocument": guard()}}
	previewPolicies := []any{map[string]any{"PolicyName": "log-archive-previewer", "PolicyDocument": a.previewPolicy()}}
	if a.StateBucket != "" {
		deployPolicies = append(deployPolicies, map[string]any{"PolicyName": "log-archive-pulumi-state", "PolicyDocument": a.deployStatePolicy()})
	}
	if err := t.add("DeployRole", "AWS::IAM::Role", "", map[string]any{
		"RoleName":    DeployRoleName,
		"Description": "Deploys log-archive from GitHub Actions of " + a.Repository + ", in its deploy environments only",
		"AssumeRolePolicyDocument": map[string]any{"Fn::If": []any{"IsDestination",
			a.trust(a.envSub(EnvDeployDestination)), a.trust(a.envSub(EnvDeployCanary), a.envSub(EnvDeploySources))}},
		"PermissionsBoundary": map[string]any{"Ref": "RoleBoundary"},
		"ManagedPolicyArns":   map[string]any{"Fn::If": []any{"IsDestination", destRefs, sourceRefs}},
		"Policies":            deployPolicies,
		"MaxSessionDuration":  3600,
	}); err != nil {
		return Template{}, err
	}
	if err := t.add("PreviewRole", "AWS::IAM::Role", "", map[string]any{
		"RoleName":                 PreviewRoleName,
		"Description":              "Read-only: pull-request previews and the daily fleet-health checks of " + a.Repository,
		"AssumeRolePolicyDocument": a.trust(a.prSub(), a.envSub(EnvFleetHealth)),
		"PermissionsBoundary":      map[string]any{"Ref": "RoleBoundary"},
		"ManagedPolicyArns":        []any{"arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess"},
		"Policies":                 previewPolicies,
		"MaxSessionDuration":       3600,
	}); err != nil {
		return Template{}, err
	}
	for _, role := range []string{"DeployRole", "PreviewRole"} {
		r := t.Resources[role]
		r.Properties["Tags"] = []any{map[string]any{"Key": "log-archive", "Value": "bootstrap"}}
		t.Resources[role] = r
	}
	return t, nil
}

// deployerPolicies adds one managed policy per document, under condition, and returns their Refs.
func (t *Template) deployerPolicies(prefix, condition, kind string, docs []any, sample string) ([]any, error) {
	refs := []any{}
	for i, doc := range docs {
		placed, err := placeAccount(doc, sample)
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("%s%d", prefix, i+1)
		if err := t.add(name, "AWS::IAM::ManagedPolicy", condition, map[string]any{
			"ManagedPolicyName": fmt.Sprintf("log-archive-deployer-%s-%d", kind, i+1), "Path": PolicyPath,
			"Description":    "What pulumi preview, up and destroy of a log-archive " + kind + " stack need (go run ./cmd/plan deployer-policy)",
			"PolicyDocument": placed,
		}); err != nil {
			return nil, err
		}
		refs = append(refs, map[string]any{"Ref": name})
	}
	return refs, nil
}

// add puts a resource into the template, its properties made template values.
func (t *Template) add(name, typ, condition string, props map[string]any, dependsOn ...string) error {
	v, err := cfn(props)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	t.Resources[name] = Resource{Type: typ, Condition: condition, DependsOn: dependsOn, Properties: providerRef(v).(map[string]any)}
	return nil
}

// providerRef makes a trust policy name the OIDC provider through Ref where this stack creates it, so the
// roles wait for the provider (IAM refuses a trust policy naming a provider that does not exist), and by
// its ARN where the account already has one.
func providerRef(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if s, ok := x["Fn::Sub"].(string); ok && len(x) == 1 && s == oidcProviderARN {
			return map[string]any{"Fn::If": []any{"CreateOidc", map[string]any{"Ref": "GitHubOidcProvider"}, x}}
		}
		for k := range x {
			x[k] = providerRef(x[k])
		}
	case []any:
		for i := range x {
			x[i] = providerRef(x[i])
		}
	}
	return v
}
