package deployer

import (
	"fmt"
	"strings"

	"log-archive/internal/plan"
)

// Rule is what the AWS provider calls for one resource type, as IAM actions, and which ARNs each group of
// actions applies to. pulumi-aws v6 bridges the Terraform AWS provider (v5), so every list below is taken
// from that provider's implementation of the resource (hashicorp/terraform-provider-aws,
// internal/service/...), each API call mapped to the IAM action the Service Authorization Reference names
// for it (they differ: PutBucketEncryption is s3:PutEncryptionConfiguration, DeleteBucketReplication is
// s3:PutReplicationConfiguration, GetObjectLockConfiguration is s3:GetBucketObjectLockConfiguration, ...).
//
// Create includes the reads the provider makes after creating (it always reads the resource back), Read is
// what `pulumi refresh` (and `up --refresh`, and an import) calls, Update what an in-place change calls,
// Delete what `pulumi destroy` or a replacement calls. Delete is granted only for resources the plan neither
// protects nor retains.
type Rule struct {
	Sid    string // statement ID stem, e.g. "S3BucketVersioning"
	Source string // where the lists come from
	Grants []Grant
}

// Grant is one group of actions on one kind of ARN.
type Grant struct {
	Sid                          string // appended to the rule's Sid; "" for the rule's main grant
	Create, Read, Update, Delete []string
	// Extra adds create/update actions that only some inputs need (e.g. Object Lock at bucket creation).
	Extra func(in map[string]any) []string
	// Resources are the ARNs the actions apply to for one registered resource; nil means "*" (actions
	// with no resource type in the Service Authorization Reference).
	Resources func(e Env, s plan.Step) []string
	// Condition, when set, narrows the grant for one registered resource.
	Condition func(e Env, s plan.Step) Condition
}

// Condition is an IAM policy Condition block: operator -> key -> value(s).
type Condition map[string]map[string]any

// Env is where the stack deploys: ARNs are built from it.
type Env struct {
	Partition, Region, Account string
	// Regions is Region and the Region of every other AWS provider the plan registers: the plan does not
	// record which provider a resource uses, so regional ARNs cover them all.
	Regions []string
	// ByURN is every resource of the plan, for a resource that names another only by dependency.
	ByURN map[string]plan.Step
	// Roles maps role names to role ARNs for the roles the plan creates, so a RolePolicy (which names its
	// role) is scoped to the role's ARN with its path.
	Roles map[string]string
}

// Table maps each resource type token the program may register to its Rule. A type the plan registers that
// is missing here fails the generation (and a test), so a new resource type cannot silently go without
// permissions.
var Table = map[string]Rule{
	// internal/service/s3/bucket.go: resourceBucketCreate (CreateBucket, then HeadBucket until it exists,
	// bucketCreateTags: PutBucketTagging), resourceBucketRead (HeadBucket, GetBucketPolicy, GetBucketAcl,
	// GetBucketCors, GetBucketWebsite, GetBucketVersioning, GetBucketAccelerateConfiguration,
	// GetBucketRequestPayment, GetBucketLogging, GetBucketLifecycleConfiguration, GetBucketReplication,
	// GetBucketEncryption, GetObjectLockConfiguration, HeadBucket for the Region, GetBucketTagging for
	// tags), resourceBucketUpdate (only tags for the arguments this program sets: PutBucketTagging,
	// DeleteBucketTagging, both s3:PutBucketTagging), resourceBucketDelete (DeleteBucket). HeadBucket is
	// authorised as s3:ListBucket. CreateBucket with x-amz-bucket-object-lock-enabled needs
	// s3:PutBucketObjectLockConfiguration and s3:PutBucketVersioning too (S3 API reference, CreateBucket).
	"aws:s3/bucketV2:BucketV2": {Sid: "S3Bucket", Source: "internal/service/s3/bucket.go", Grants: []Grant{{
		Create: []string{"s3:CreateBucket", "s3:PutBucketTagging"},
		Read: []string{"s3:ListBucket", "s3:GetBucketPolicy", "s3:GetBucketAcl", "s3:GetBucketCORS",
			"s3:GetBucketWebsite", "s3:GetBucketVersioning", "s3:GetAccelerateConfiguration",
			"s3:GetBucketRequestPayment", "s3:GetBucketLogging", "s3:GetLifecycleConfiguration",
			"s3:GetReplicationConfiguration", "s3:GetEncryptionConfiguration",
			"s3:GetBucketObjectLockConfiguration", "s3:GetBucketTagging"},
		Update: []string{"s3:PutBucketTagging"},
		Delete: []string{"s3:DeleteBucket"},
		Extra: func(in map[string]any) []string {
			var extra []string
			if b, _ := in["objectLockEnabled"].(bool); b {
				extra = append(extra, "s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning")
			}
			return extra
		},
		Resources: bucketARN,
	}, {
		// force_destroy empties the bucket first (emptyBucket: ListObjectVersions, DeleteObjects, and
		// BypassGovernanceRetention for objects under Object Lock governance mode).
		Sid:    "ForceDestroy",
		Delete: []string{"s3:ListBucketVersions", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"},
		Resources: func(e Env, s plan.Step) []string {
			if b, _ := s.NewState.Inputs["forceDestroy"].(bool); !b {
				return nil
			}
			return objectsARN(e, s)
		},
	}}},

	// internal/service/s3/bucket_versioning.go: PutBucketVersioning (create, update; delete suspends
	// versioning with PutBucketVersioning), GetBucketVersioning (read, and the wait after create).
	"aws:s3/bucketVersioningV2:BucketVersioningV2": s3Config("S3BucketVersioning", "internal/service/s3/bucket_versioning.go",
		"s3:PutBucketVersioning", "s3:GetBucketVersioning", "s3:PutBucketVersioning"),

	// internal/service/s3/bucket_server_side_encryption_configuration.go: PutBucketEncryption
	// (s3:PutEncryptionConfiguration), GetBucketEncryption (s3:GetEncryptionConfiguration),
	// DeleteBucketEncryption (s3:PutEncryptionConfiguration).
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": s3Config(
		"S3BucketEncryption", "internal/service/s3/bucket_server_side_encryption_configuration.go",
		"s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration"),

	// internal/service/s3/bucket_ownership_controls.go: PutBucketOwnershipControls,
	// GetBucketOwnershipControls, DeleteBucketOwnershipControls (s3:PutBucketOwnershipControls).
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls": s3Config("S3BucketOwnershipControls",
		"internal/service/s3/bucket_ownership_controls.go",
		"s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls"),

	// internal/service/s3/bucket_public_access_block.go: PutPublicAccessBlock (s3:PutBucketPublicAccessBlock),
	// GetPublicAccessBlock (s3:GetBucketPublicAccessBlock), DeletePublicAccessBlock
	// (s3:PutBucketPublicAccessBlock).
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": s3Config("S3BucketPublicAccessBlock",
		"internal/service/s3/bucket_public_access_block.go",
		"s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"),

	// internal/service/s3/bucket_lifecycle_configuration.go: PutBucketLifecycleConfiguration
	// (s3:PutLifecycleConfiguration), GetBucketLifecycleConfiguration (s3:GetLifecycleConfiguration; also
	// the wait after create and update), DeleteBucketLifecycle (s3:PutLifecycleConfiguration).
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": s3Config("S3BucketLifecycle",
		"internal/service/s3/bucket_lifecycle_configuration.go",
		"s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration"),

	// internal/service/s3/bucket_object_lock_configuration.go: PutObjectLockConfiguration
	// (s3:PutBucketObjectLockConfiguration; delete puts it again without the default retention rule),
	// GetObjectLockConfiguration (s3:GetBucketObjectLockConfiguration).
	"aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2": s3Config("S3BucketObjectLock",
		"internal/service/s3/bucket_object_lock_configuration.go",
		"s3:PutBucketObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration", "s3:PutBucketObjectLockConfiguration"),

	// internal/service/s3/bucket_policy.go: PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy (its own
	// IAM action, s3:DeleteBucketPolicy).
	"aws:s3/bucketPolicy:BucketPolicy": s3Config("S3BucketPolicy", "internal/service/s3/bucket_policy.go",
		"s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"),

	// internal/service/s3/bucket_replication_configuration.go: PutBucketReplication
	// (s3:PutReplicationConfiguration, and iam:PassRole on the replication role: S3 checks the caller may
	// pass it), GetBucketReplication (s3:GetReplicationConfiguration), DeleteBucketReplication
	// (s3:PutReplicationConfiguration).
	"aws:s3/bucketReplicationConfig:BucketReplicationConfig": {Sid: "S3BucketReplication",
		Source: "internal/service/s3/bucket_replication_configuration.go", Grants: []Grant{{
			Create:    []string{"s3:PutReplicationConfiguration", "s3:GetReplicationConfiguration"},
			Read:      []string{"s3:GetReplicationConfiguration"},
			Update:    []string{"s3:PutReplicationConfiguration"},
			Delete:    []string{"s3:PutReplicationConfiguration"},
			Resources: bucketARN,
		}, {
			Sid:       "PassRole",
			Create:    []string{"iam:PassRole"},
			Update:    []string{"iam:PassRole"},
			Resources: func(_ Env, s plan.Step) []string { return nonEmpty(str(s, "role")) },
			Condition: func(Env, plan.Step) Condition {
				return Condition{"StringEquals": {"iam:PassedToService": "s3.amazonaws.com"}}
			},
		}}},

	// internal/service/s3/bucket_notification.go: PutBucketNotificationConfiguration
	// (s3:PutBucketNotification; delete puts an empty configuration), GetBucketNotificationConfiguration
	// (s3:GetBucketNotification).
	"aws:s3/bucketNotification:BucketNotification": s3Config("S3BucketNotification",
		"internal/service/s3/bucket_notification.go",
		"s3:PutBucketNotification", "s3:GetBucketNotification", "s3:PutBucketNotification"),

	// internal/service/kms/key.go: resourceKeyCreate (CreateKey; updateKeyRotationEnabled:
	// EnableKeyRotation and GetKeyRotationStatus until it shows; waitKeyPolicyPropagated: GetKeyPolicy;
	// waitTagsPropagated: ListResourceTags), resourceKeyRead/findKeyInfo (DescribeKey, GetKeyPolicy,
	// GetKeyRotationStatus, ListResourceTags), resourceKeyUpdate (EnableKey, EnableKeyRotation,
	// UpdateKeyDescription and DescribeKey until it shows, PutKeyPolicy, TagResource, UntagResource),
	// resourceKeyDelete (ScheduleKeyDeletion, then DescribeKey until pending deletion). DisableKey and
	// DisableKeyRotation are left out: the program never disables a key or its rotation.
	//
	// CreateKey has no resource (the key does not exist yet): it is granted on "*" narrowed by the KMS
	// condition keys for what the plan creates (a condition on a request parameter holds for its default
	// value too, AWS KMS developer guide, "AWS KMS condition keys"). Tags on CreateKey need kms:TagResource
	// "in an IAM policy that isn't restricted to particular KMS keys" (developer guide, "Controlling access
	// to tags"), so it is granted on "*" narrowed to the plan's tag keys. Every other action is on the
	// stack's keys, whose IDs AWS chooses: key/* in the stack's account and Region.
	"aws:kms/key:Key": {Sid: "KmsKey", Source: "internal/service/kms/key.go", Grants: []Grant{{
		Create: []string{"kms:EnableKeyRotation", "kms:GetKeyRotationStatus", "kms:GetKeyPolicy",
			"kms:ListResourceTags", "kms:DescribeKey"},
		Read: []string{"kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"},
		Update: []string{"kms:EnableKey", "kms:EnableKeyRotation", "kms:UpdateKeyDescription",
			"kms:PutKeyPolicy", "kms:UntagResource"},
		Delete:    []string{"kms:ScheduleKeyDeletion", "kms:DescribeKey"},
		Resources: keyARNs,
	}, {
		Sid:       "Create",
		Create:    []string{"kms:CreateKey"},
		Condition: createKeyCondition,
	}, {
		Sid:    "Tag",
		Create: []string{"kms:TagResource"},
		Update: []string{"kms:TagResource"},
		Resources: func(_ Env, s plan.Step) []string {
			if len(tagKeys(s)) == 0 {
				return nil // no tags: no grant
			}
			return []string{"*"}
		},
		Condition: func(_ Env, s plan.Step) Condition {
			return Condition{"ForAllValues:StringEquals": {"aws:TagKeys": tagKeys(s)}}
		},
	}}},

	// internal/service/kms/alias.go: CreateAlias (authorised on the alias and on its key), ListAliases
	// (findAliasByName, the read; no resource type, so "*"), UpdateAlias (on the alias, the old key and the
	// new key), DeleteAlias (on the alias and its key).
	"aws:kms/alias:Alias": {Sid: "KmsAlias", Source: "internal/service/kms/alias.go", Grants: []Grant{{
		Create: []string{"kms:CreateAlias"},
		Update: []string{"kms:UpdateAlias"},
		Delete: []string{"kms:DeleteAlias"},
		Resources: func(e Env, s plan.Step) []string {
			return append(e.regional("kms", str(s, "name")), keyARNs(e, s)...)
		},
	}, {
		Sid:    "List",
		Create: []string{"kms:ListAliases"},
		Read:   []string{"kms:ListAliases"},
	}}},

	// internal/service/iam/role.go: resourceRoleCreate (CreateRole with its tags, which needs iam:TagRole),
	// resourceRoleRead (GetRole; readRoleInlinePolicies: ListRolePolicies and GetRolePolicy;
	// findRoleAttachedPolicies: ListAttachedRolePolicies), resourceRoleUpdate (UpdateAssumeRolePolicy,
	// UpdateRoleDescription, UpdateRole for the session duration, TagRole/UntagRole),
	// resourceRoleDelete/deleteRole (ListInstanceProfilesForRole, ListAttachedRolePolicies, ListRolePolicies
	// and DeleteRolePolicy for the inline policies the read recorded, DeleteRole). Permissions boundaries are
	// added only when the plan sets one.
	"aws:iam/role:Role": {Sid: "IamRole", Source: "internal/service/iam/role.go", Grants: []Grant{{
		Create: []string{"iam:CreateRole", "iam:TagRole", "iam:GetRole", "iam:ListRolePolicies",
			"iam:GetRolePolicy", "iam:ListAttachedRolePolicies"},
		Read: []string{"iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies"},
		Update: []string{"iam:UpdateAssumeRolePolicy", "iam:UpdateRoleDescription", "iam:UpdateRole",
			"iam:TagRole", "iam:UntagRole"},
		Delete: []string{"iam:ListInstanceProfilesForRole", "iam:ListAttachedRolePolicies",
			"iam:ListRolePolicies", "iam:DeleteRolePolicy", "iam:DeleteRole"},
		Extra: func(in map[string]any) []string {
			if b, _ := in["permissionsBoundary"].(string); b != "" {
				return []string{"iam:PutRolePermissionsBoundary"}
			}
			return nil
		},
		Resources: func(e Env, s plan.Step) []string { return []string{e.roleARN(s)} },
	}}},

	// internal/service/iam/role_policy.go: PutRolePolicy (create, update), GetRolePolicy (read, and the
	// read after create), DeleteRolePolicy. All are authorised on the role.
	"aws:iam/rolePolicy:RolePolicy": {Sid: "IamRolePolicy", Source: "internal/service/iam/role_policy.go", Grants: []Grant{{
		Create: []string{"iam:PutRolePolicy", "iam:GetRolePolicy"},
		Read:   []string{"iam:GetRolePolicy"},
		Update: []string{"iam:PutRolePolicy"},
		Delete: []string{"iam:DeleteRolePolicy"},
		Resources: func(e Env, s plan.Step) []string {
			role := str(s, "role")
			if arn, ok := e.Roles[role]; ok {
				return []string{arn}
			}
			for name, arn := range e.Roles { // an auto-named role: the plan holds the name the mock chose
				if prefix, auto := strings.CutSuffix(name, "*"); auto && strings.HasPrefix(role, prefix) {
					return []string{arn}
				}
			}
			if strings.HasPrefix(role, "arn:") {
				return []string{role}
			}
			return []string{fmt.Sprintf("arn:%s:iam::%s:role/*%s", e.Partition, e.Account, role)}
		},
	}}},

	// internal/service/sns/topic.go: CreateTopic (tags need sns:TagResource), SetTopicAttributes,
	// GetTopicAttributes and ListTagsForResource (read), TagResource/UntagResource, DeleteTopic.
	"aws:sns/topic:Topic": {Sid: "SnsTopic", Source: "internal/service/sns/topic.go", Grants: []Grant{{
		Create: []string{"sns:CreateTopic", "sns:TagResource", "sns:SetTopicAttributes", "sns:GetTopicAttributes", "sns:ListTagsForResource"},
		Read:   []string{"sns:GetTopicAttributes", "sns:ListTagsForResource"},
		Update: []string{"sns:SetTopicAttributes", "sns:TagResource", "sns:UntagResource"},
		Delete: []string{"sns:DeleteTopic"},
		Resources: func(e Env, s plan.Step) []string {
			return e.regional("sns", named(s, "name"))
		},
	}}},

	// internal/service/sns/topic_policy.go: SetTopicAttributes (Policy; delete writes the default policy
	// back), GetTopicAttributes.
	"aws:sns/topicPolicy:TopicPolicy": {Sid: "SnsTopicPolicy", Source: "internal/service/sns/topic_policy.go", Grants: []Grant{{
		Create: []string{"sns:SetTopicAttributes", "sns:GetTopicAttributes"},
		Read:   []string{"sns:GetTopicAttributes"},
		Update: []string{"sns:SetTopicAttributes"},
		Delete: []string{"sns:SetTopicAttributes"},
		Resources: func(e Env, s plan.Step) []string {
			if arn := str(s, "arn"); arn != "" {
				return []string{arn}
			}
			var out []string // the topic's ARN is computed: the topic it depends on
			for _, d := range s.NewState.Dependencies {
				if t, ok := e.ByURN[d]; ok && t.NewState.Type == "aws:sns/topic:Topic" {
					out = append(out, e.regional("sns", named(t, "name"))...)
				}
			}
			return out
		},
	}}},

	// internal/service/cloudwatch/metric_alarm.go: PutMetricAlarm (with tags: cloudwatch:TagResource),
	// DescribeAlarms and ListTagsForResource (read), TagResource/UntagResource, DeleteAlarms.
	"aws:cloudwatch/metricAlarm:MetricAlarm": {Sid: "CloudWatchMetricAlarm", Source: "internal/service/cloudwatch/metric_alarm.go", Grants: []Grant{{
		Create: []string{"cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"},
		Read:   []string{"cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"},
		Update: []string{"cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource"},
		Delete: []string{"cloudwatch:DeleteAlarms"},
		Resources: func(e Env, s plan.Step) []string {
			return e.regional("cloudwatch", "alarm:"+named(s, "name"))
		},
	}}},

	// --- The fleet view (components/monitoring.go, docs/fleet-health.md), added by the fleet-health issue.
	// internal/service/oam/sink.go: CreateSink (tags: oam:TagResource), GetSink and ListTagsForResource
	// (read), TagResource/UntagResource, DeleteSink. A sink's ARN ends in an ID AWS assigns: sink/*.
	"aws:oam/sink:Sink": {Sid: "OamSink", Source: "internal/service/oam/sink.go", Grants: []Grant{{
		Create: []string{"oam:CreateSink", "oam:TagResource", "oam:GetSink", "oam:ListTagsForResource"},
		Read:   []string{"oam:GetSink", "oam:ListTagsForResource"},
		Update: []string{"oam:TagResource", "oam:UntagResource"},
		Delete: []string{"oam:DeleteSink"},
		Resources: func(e Env, _ plan.Step) []string {
			return e.regional("oam", "sink/*")
		},
	}}},
	// internal/service/oam/sink_policy.go: PutSinkPolicy, GetSinkPolicy; its delete writes nothing back.
	"aws:oam/sinkPolicy:SinkPolicy": {Sid: "OamSinkPolicy", Source: "internal/service/oam/sink_policy.go", Grants: []Grant{{
		Create: []string{"oam:PutSinkPolicy", "oam:GetSinkPolicy"},
		Read:   []string{"oam:GetSinkPolicy"},
		Update: []string{"oam:PutSinkPolicy"},
		Resources: func(e Env, _ plan.Step) []string {
			return e.regional("oam", "sink/*")
		},
	}}},
	// internal/service/oam/link.go: CreateLink, which also needs cloudwatch:Link for the metrics it shares
	// (CloudWatch-Unified-Cross-Account-Setup.html, "permissions"), GetLink, UpdateLink, DeleteLink; tags
	// through oam:TagResource. The link is in the source account; the sink it names is the archive's.
	"aws:oam/link:Link": {Sid: "OamLink", Source: "internal/service/oam/link.go", Grants: []Grant{{
		Create: []string{"oam:CreateLink", "oam:TagResource", "oam:GetLink", "oam:ListTagsForResource"},
		Read:   []string{"oam:GetLink", "oam:ListTagsForResource"},
		Update: []string{"oam:UpdateLink", "oam:TagResource", "oam:UntagResource"},
		Delete: []string{"oam:DeleteLink"},
		Resources: func(e Env, s plan.Step) []string {
			return append(e.regional("oam", "link/*"), nonEmpty(str(s, "sinkIdentifier"))...)
		},
	}, {
		Sid:    "ShareMetrics",
		Create: []string{"cloudwatch:Link"},
		Update: []string{"cloudwatch:Link"},
	}}},
	// internal/service/cloudwatch/dashboard.go: PutDashboard, GetDashboard (read), DeleteDashboards.
	// Dashboards are global to the account: their ARN has no Region.
	"aws:cloudwatch/dashboard:Dashboard": {Sid: "CloudWatchDashboard", Source: "internal/service/cloudwatch/dashboard.go", Grants: []Grant{{
		Create: []string{"cloudwatch:PutDashboard", "cloudwatch:GetDashboard"},
		Read:   []string{"cloudwatch:GetDashboard"},
		Update: []string{"cloudwatch:PutDashboard"},
		Delete: []string{"cloudwatch:DeleteDashboards"},
		Resources: func(e Env, s plan.Step) []string {
			return []string{e.arn("cloudwatch", "", e.Account, "dashboard/"+named(s, "dashboardName"))}
		},
	}}},
}

// Provider is what the provider itself calls whatever the stack holds: its account check
// (aws:allowedAccountIds) and account lookup call sts:GetCallerIdentity when it is configured.
var Provider = Rule{Sid: "ProviderAccountCheck", Source: "internal/conns/config.go (provider configuration)", Grants: []Grant{{
	Create: []string{"sts:GetCallerIdentity"},
	Read:   []string{"sts:GetCallerIdentity"},
}}}

// s3Config is the rule of a bucket sub-resource: one put (create and update), one get (read, and the read
// after every put), and the call its delete makes, all on the bucket.
func s3Config(sid, source, put, get, del string) Rule {
	return Rule{Sid: sid, Source: source, Grants: []Grant{{
		Create:    []string{put, get},
		Read:      []string{get},
		Update:    []string{put},
		Delete:    []string{del},
		Resources: bucketARN,
	}}}
}

func (e Env) arn(service, region, account, resource string) string {
	if resource == "" {
		return ""
	}
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", e.Partition, service, region, account, resource)
}

// bucketARN is the bucket a resource names (input "bucket"), or for an auto-named bucket every name Pulumi
// may choose for it.
func bucketARN(e Env, s plan.Step) []string {
	b := str(s, "bucket")
	if b == "" && s.NewState.Type == "aws:s3/bucketV2:BucketV2" {
		b = s.Name() + "-*"
	}
	if b == "" {
		return nil
	}
	return []string{fmt.Sprintf("arn:%s:s3:::%s", e.Partition, b)}
}

func objectsARN(e Env, s plan.Step) []string {
	b := bucketARN(e, s)
	if len(b) == 0 {
		return nil
	}
	return []string{b[0], b[0] + "/*"}
}

// keyARNs is every KMS key of the stack's account and Region: a key's ID is chosen by AWS when it is
// created, so the plan cannot name it.
func keyARNs(e Env, _ plan.Step) []string {
	return e.regional("kms", "key/*")
}

// regional is resource's ARN in each of the plan's Regions.
func (e Env) regional(service, resource string) []string {
	regions := e.Regions
	if len(regions) == 0 {
		regions = []string{e.Region}
	}
	var out []string
	for _, r := range regions {
		out = append(out, nonEmpty(e.arn(service, r, e.Account, resource))...)
	}
	return out
}

// roleARN is the role's ARN from its path and name; an auto-named role is any name Pulumi may choose.
func (e Env) roleARN(s plan.Step) string {
	path := str(s, "path")
	if path == "" {
		path = "/"
	}
	return fmt.Sprintf("arn:%s:iam::%s:role%s%s", e.Partition, e.Account, path, named(s, "name"))
}

// createKeyCondition narrows kms:CreateKey to keys like the ones the plan creates, and refuses the policy
// lockout bypass.
func createKeyCondition(_ Env, s plan.Step) Condition {
	eq := map[string]any{"kms:KeyOrigin": "AWS_KMS"}
	if v := str(s, "customerMasterKeySpec"); v != "" {
		eq["kms:KeySpec"] = v
	}
	if v := str(s, "keySpec"); v != "" {
		eq["kms:KeySpec"] = v
	}
	if v := str(s, "keyUsage"); v != "" {
		eq["kms:KeyUsage"] = v
	}
	if str(s, "customKeyStoreId") != "" || str(s, "xksKeyId") != "" {
		delete(eq, "kms:KeyOrigin")
	}
	multi, _ := s.NewState.Inputs["multiRegion"].(bool)
	bypass, _ := s.NewState.Inputs["bypassPolicyLockoutSafetyCheck"].(bool)
	return Condition{
		"StringEquals": eq,
		"Bool":         {"kms:MultiRegion": fmt.Sprint(multi), "kms:BypassPolicyLockoutSafetyCheck": fmt.Sprint(bypass)},
	}
}

func tagKeys(s plan.Step) []string {
	tags, _ := s.NewState.Inputs["tags"].(map[string]any)
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	return sortedSet(keys)
}

func str(s plan.Step, key string) string {
	v, _ := s.NewState.Inputs[key].(string)
	return v
}

// named is the resource's name input, or for an auto-named resource the pattern of names Pulumi chooses:
// the resource name, a dash and random characters.
func named(s plan.Step, key string) string {
	if v := str(s, key); v != "" {
		return v
	}
	return s.Name() + "-*"
}

func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
