package deployer

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"log-archive/internal/awsid"
	"log-archive/internal/catalog"
	"log-archive/internal/policy"
)

// The deployer may create and change IAM roles and their policies, so without more it could make a role
// trust itself and grant that role anything. Three things close that path, each a
// statement below (D8-D10):
//   - every role the program creates has the permissions boundary log-archive-role-boundary, which
//     allows only S3 replication and KMS through S3: nothing in IAM, STS or Organizations. The deployer
//     may create a role, or give one a policy, only with that boundary set, and may never remove it;
//   - the deployer may not create or change the boundary policy itself;
//   - the deployer may not assume the roles it creates, nor change its own role or policies, whatever
//     their trust policies say.

// DeployerRoleNames are the roles GitHub Actions assumes in every account (.github/stacks.yaml): the
// deployer's own identity, which no generated policy may let it change.
var DeployerRoleNames = []string{"log-archive-github-deployer", "log-archive-github-previewer"}

// DeployerPolicyPrefix starts the name of every policy Generate writes (pack).
const DeployerPolicyPrefix = "log-archive-deployer-"

// RoleBoundaryActions are the actions that change a role's permissions, which IAM authorises with the
// role's permissions boundary in iam:PermissionsBoundary (D9).
var RoleBoundaryActions = []string{"iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"}

// BoundaryPolicyActions are the actions that would create or change the boundary policy: every IAM
// action on its ARN is denied, these are the ones that matter (a policy test asks each).
var BoundaryPolicyActions = []string{"iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy",
	"iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"}

// AccessAnalyzer is what the destination's deploy runs before `pulumi up` (`plan check-public-access`,
// docs/public-access.md): IAM Access Analyzer's CheckNoPublicAccess has no resource type, so "*" (D11).
var AccessAnalyzer = catalog.Deployer{Sid: "AccessAnalyzerCheckNoPublicAccess", Source: "cmd/plan check-public-access", Grants: []catalog.Grant{{
	Create: []string{"access-analyzer:CheckNoPublicAccess"},
	Read:   []string{"access-analyzer:CheckNoPublicAccess"},
	On:     catalog.OnAnyResource,
}}}

// guards are the Deny statements of every deployer policy (D8-D10). A Deny wins over every Allow of every
// policy the principal holds, so they hold whatever else it is granted.
func guards(e Env) []policy.Statement {
	boundary := awsid.RoleBoundaryArnIn(e.Partition, e.Account)
	iam := func(resource string) string {
		return fmt.Sprintf("arn:%s:iam::%s:%s", e.Partition, e.Account, resource)
	}
	// The project's roles: the plan's, and any at the project's path. The guards apply there only, so a
	// principal that also manages other roles keeps doing so under its other policies.
	roles := []string{iam("role" + awsid.RoleBoundaryPath + "*")}
	for _, arn := range e.Roles {
		roles = append(roles, arn)
	}
	roles = sortedSet(roles)
	out := []policy.Statement{{
		Sid: "DenyRoleWithoutBoundary", Effect: "Deny", Action: RoleBoundaryActions, Resource: roles,
		Condition: policy.Conditions{"StringNotEquals": {"iam:PermissionsBoundary": {boundary}}},
	}, {
		Sid: "DenyBoundaryRemoval", Effect: "Deny", Action: []string{"iam:DeleteRolePermissionsBoundary"}, Resource: roles,
	}, {
		Sid: "DenyBoundaryPolicyChange", Effect: "Deny", Action: []string{"iam:*"}, Resource: []string{boundary},
	}}
	var own []string
	for _, name := range DeployerRoleNames {
		own = append(own, iam("role/*"+name))
	}
	own = append(own, iam("policy/*"+DeployerPolicyPrefix+"*"))
	out = append(out, policy.Statement{Sid: "DenyDeployerSelfChange", Effect: "Deny", Resource: own, Action: []string{"iam:*"}})
	if len(e.Roles) > 0 {
		out = append(out, policy.Statement{
			Sid: "DenyAssumeStackRoles", Effect: "Deny", Resource: roles,
			Action: []string{"sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"},
		})
	}
	return out
}

// addCondition adds values under operator and key to c, merging with what is there.
func addCondition(c policy.Conditions, operator, key string, values []string) {
	if c[operator] == nil {
		c[operator] = map[string]policy.Strings{}
	}
	c[operator][key] = sortedSet(values)
}

// RoleBoundaryPolicy is the document of the permissions boundary every role the program creates has
// (awsid.RoleBoundaryName at awsid.RoleBoundaryPath, D8): the most the replication role and the
// backfill role may ever do, whatever their own policies say. S3 live and batch replication on any bucket
// of the partition (the role's own policy names the buckets), and KMS only through S3; nothing in IAM,
// STS or Organizations. partition may be a placeholder such as ${AWS::Partition}: the document names no
// account, so one document serves every account.
func RoleBoundaryPolicy(partition string) policy.Document {
	return policy.Document{Version: policy.Version, Statement: []policy.Statement{{
		Sid:    "S3Replication",
		Effect: "Allow",
		Action: sortedSet(slices.Concat([]string{"s3:GetReplicationConfiguration", "s3:ListBucket",
			"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging",
			"s3:GetObjectRetention", "s3:GetObjectLegalHold"}, policy.ArchiveObjectActions)),
		Resource: []string{fmt.Sprintf("arn:%s:s3:::*", partition)},
	}, {
		Sid:      "S3BatchReplication",
		Effect:   "Allow",
		Action:   []string{"s3:GetReplicationConfiguration", "s3:InitiateReplication", "s3:PutInventoryConfiguration"},
		Resource: []string{fmt.Sprintf("arn:%s:s3:::*", partition)},
	}, {
		Sid:      "KmsThroughS3",
		Effect:   "Allow",
		Action:   sortedSet(policy.ReplicaKeyActions),
		Resource: []string{fmt.Sprintf("arn:%s:kms:*:*:key/*", partition)},
		// R1.16: the replication role's own grants carry kms:ViaService = s3.REGION.SUFFIX.
		Condition: policy.Conditions{"StringLike": {"kms:ViaService": {"s3.*"}}},
	}}}
}

// ForAccount is r with the stack's account ID replaced by placeholder in every ARN, for a template that
// deploys the same policy to many accounts (a CloudFormation StackSet: ${AWS::AccountId}). Sizes stay
// those of the real documents, which is what IAM counts after the template substitutes the placeholder.
func (r *Result) ForAccount(placeholder string) (*Result, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	text := strings.ReplaceAll(string(b), ":"+r.Account+":", ":"+placeholder+":")
	var out Result
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		return nil, err
	}
	out.Account = placeholder
	return &out, nil
}
