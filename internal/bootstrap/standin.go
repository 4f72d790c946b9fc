package bootstrap

import "log-archive/components"

// StandInRoleBoundary is a STAND-IN for deployer.RoleBoundaryPolicy, which the deployer engineer is
// writing in internal/deployer: the lead replaces every call with the real document at merge. It caps
// nothing but the boundary itself (it allows every action), and denies what would let a role escape it
// (IAM1): removing a boundary, creating a role without it, and changing the boundary policy.
func StandInRoleBoundary() components.PolicyDocument {
	return components.PolicyDocument{Version: "2012-10-17", Statement: []components.Statement{
		{Sid: "StandInAllowsEverythingUntilDeployerRoleBoundaryPolicyLands", Effect: "Allow", Action: components.Strings{"*"}, Resource: components.Strings{"*"}},
		{Sid: "KeepEveryBoundary", Effect: "Deny", Action: components.Strings{"iam:DeleteRolePermissionsBoundary"}, Resource: components.Strings{"*"}},
		{Sid: "NewRolesCarryTheBoundary", Effect: "Deny", Action: components.Strings{"iam:CreateRole", "iam:PutRolePermissionsBoundary"}, Resource: components.Strings{"*"},
			Condition: components.Conditions{"StringNotEquals": {"iam:PermissionsBoundary": {boundaryARN}}}},
		{Sid: "BoundaryUnchanged", Effect: "Deny", Action: components.Strings{"iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"},
			Resource: components.Strings{boundaryARN}},
	}}
}
