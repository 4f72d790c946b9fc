package bootstrap

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// StackSetName is the StackSet's name in the management or delegated administrator account.
const StackSetName = "log-archive-bootstrap"

// TemplateBodyLimit is the largest TemplateBody a StackSet takes, in bytes (CreateStackSet API).
const TemplateBodyLimit = 51200

// StackSetArgs is where the member template goes.
type StackSetArgs struct {
	Member MemberArgs
	// OrganizationalUnitIDs are the OUs (or the root) whose accounts get the roles, now and when they join.
	OrganizationalUnitIDs []string
	// Region is the one Region the stack instances run in: IAM is global, so a second Region's instance
	// would collide on the roles' names.
	Region string
	// CallAs is SELF in the management account, DELEGATED_ADMIN in a delegated administrator account.
	CallAs string
	// ArchiveAccount, when it is in one of the OUs, gets StackKind=destination.
	ArchiveAccount string
	// ExistingOIDCAccounts already have the GitHub OIDC provider; their instances use it.
	ExistingOIDCAccounts []string
}

var (
	ouPattern      = regexp.MustCompile(`^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$`)
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
)

func (a StackSetArgs) validate() error {
	var problems []string
	if len(a.OrganizationalUnitIDs) == 0 {
		problems = append(problems, "give --ou: the OUs (or root) whose accounts get the roles")
	}
	for _, ou := range a.OrganizationalUnitIDs {
		if !ouPattern.MatchString(ou) {
			problems = append(problems, fmt.Sprintf("--ou %q is not an OU ID (ou-xxxx-xxxxxxxx) or a root ID (r-xxxx)", ou))
		}
	}
	if a.Region == "" {
		problems = append(problems, "give --region: the one Region the stack instances run in (IAM is global)")
	}
	if a.CallAs != "SELF" && a.CallAs != "DELEGATED_ADMIN" {
		problems = append(problems, fmt.Sprintf("--call-as %q: SELF in the management account, DELEGATED_ADMIN in a delegated administrator account", a.CallAs))
	}
	for _, id := range append([]string{a.ArchiveAccount}, a.ExistingOIDCAccounts...) {
		if id != "" && !accountPattern.MatchString(id) {
			problems = append(problems, fmt.Sprintf("%q is not a 12-digit account ID", id))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("bootstrap template: %s", strings.Join(problems, "; "))
	}
	return nil
}

// StackSetTemplate is the one template a user deploys, in the management account or a delegated
// administrator account, with `aws cloudformation deploy`: its only resource is a service-managed StackSet
// carrying the member template, deployed to the OUs with auto-deployment on, so an account that joins an
// OU later gets its roles without a person (SS1). The management account is never a target (SS2).
//
// Accounts are grouped by DeploymentTargets.AccountFilterType: the OUs' accounts without the archive and
// the accounts that already have an OIDC provider get the defaults; those accounts get their own group
// with ParameterOverrides. Auto-deployment uses the StackSet's parameters: an account that joins later
// is a source account with a new OIDC provider.
func StackSetTemplate(a StackSetArgs) (Template, []byte, error) {
	if err := a.validate(); err != nil {
		return Template{}, nil, err
	}
	member, err := MemberTemplate(a.Member)
	if err != nil {
		return Template{}, nil, err
	}
	body, err := member.JSON(false)
	if err != nil {
		return Template{}, nil, err
	}
	if len(body) > TemplateBodyLimit {
		return Template{}, nil, fmt.Errorf("the member template is %d bytes, over the StackSet TemplateBody limit of %d: the deployer policies are too large", len(body), TemplateBodyLimit)
	}
	special := slices.Clone(a.ExistingOIDCAccounts)
	if a.ArchiveAccount != "" && !slices.Contains(special, a.ArchiveAccount) {
		special = append(special, a.ArchiveAccount)
	}
	slices.Sort(special)
	targets := func(filter string, accounts []string) map[string]any {
		t := map[string]any{"OrganizationalUnitIds": a.OrganizationalUnitIDs}
		if filter != "" {
			t["AccountFilterType"], t["Accounts"] = filter, accounts
		}
		return t
	}
	groups := []any{}
	if len(special) == 0 {
		groups = append(groups, map[string]any{"DeploymentTargets": targets("", nil), "Regions": []string{a.Region}})
	} else {
		groups = append(groups, map[string]any{"DeploymentTargets": targets("DIFFERENCE", special), "Regions": []string{a.Region}})
		for _, id := range special {
			var overrides []any
			if id == a.ArchiveAccount {
				overrides = append(overrides, map[string]any{"ParameterKey": ParamStackKind, "ParameterValue": "destination"})
			}
			if slices.Contains(a.ExistingOIDCAccounts, id) {
				overrides = append(overrides, map[string]any{"ParameterKey": ParamCreateOIDCProvider, "ParameterValue": "false"})
			}
			groups = append(groups, map[string]any{"DeploymentTargets": targets("INTERSECTION", []string{id}), "Regions": []string{a.Region}, "ParameterOverrides": overrides})
		}
	}
	t := Template{
		AWSTemplateFormatVersion: "2010-09-09",
		Description: "log-archive bootstrap: a service-managed StackSet that gives every account of " + strings.Join(a.OrganizationalUnitIDs, ", ") +
			" the roles GitHub Actions of " + a.Member.Repository + " assume, now and when an account joins (generated by go run ./cmd/fleet bootstrap-template)",
		Resources: map[string]Resource{"BootstrapStackSet": {Type: "AWS::CloudFormation::StackSet", Properties: map[string]any{
			"StackSetName":    StackSetName,
			"Description":     "log-archive: GitHub OIDC provider, preview and deploy roles, permissions boundary",
			"PermissionModel": "SERVICE_MANAGED",
			"CallAs":          a.CallAs,
			// Retained on removal: an account leaving the OU keeps the deploy role its offboarding needs
			// (pulumi destroy of its source stack).
			"AutoDeployment":   map[string]any{"Enabled": true, "RetainStacksOnAccountRemoval": true},
			"Capabilities":     []string{"CAPABILITY_NAMED_IAM"},
			"ManagedExecution": map[string]any{"Active": true},
			"OperationPreferences": map[string]any{
				"MaxConcurrentPercentage": 25, "FailureTolerancePercentage": 10,
				"RegionConcurrencyType": "PARALLEL", "ConcurrencyMode": "SOFT_FAILURE_TOLERANCE",
			},
			"Parameters": []any{
				map[string]any{"ParameterKey": ParamStackKind, "ParameterValue": "source"},
				map[string]any{"ParameterKey": ParamCreateOIDCProvider, "ParameterValue": "true"},
			},
			"StackInstancesGroup": groups,
			"TemplateBody":        string(body),
		}}},
		Outputs: map[string]Output{"StackSetId": {Description: "the StackSet; aws cloudformation list-stack-instances --stack-set-name " + StackSetName + " shows each account", Value: map[string]any{"Ref": "BootstrapStackSet"}}},
	}
	return t, body, nil
}
