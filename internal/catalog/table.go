package catalog

import "log-archive/internal/policy"

// entries is the catalogue. Each entry cites the Terraform AWS provider file (hashicorp/terraform-provider-
// aws v5, which pulumi-aws v6.83.4 bridges) its replace-on-change inputs and deployer actions come from.
var entries = map[Type]Info{
	// internal/service/kms/key.go: resourceKeyCreate (CreateKey; updateKeyRotationEnabled:
	// EnableKeyRotation and GetKeyRotationStatus until it shows; waitKeyPolicyPropagated: GetKeyPolicy;
	// waitTagsPropagated: ListResourceTags), resourceKeyRead/findKeyInfo (DescribeKey, GetKeyPolicy,
	// GetKeyRotationStatus, ListResourceTags), resourceKeyUpdate (EnableKey, EnableKeyRotation,
	// UpdateKeyDescription and DescribeKey until it shows, PutKeyPolicy, TagResource, UntagResource),
	// resourceKeyDelete (ScheduleKeyDeletion, then DescribeKey until pending deletion). DisableKey and
	// DisableKeyRotation are left out: the program never disables a key or its rotation.
	//
	// CreateKey has no resource (the key does not exist yet): it is granted on "*" narrowed by the KMS
	// condition keys for what the plan creates (D3). Tags on CreateKey need kms:TagResource "in an IAM
	// policy that isn't restricted to particular KMS keys" (D4): granted on "*" for exactly the plan's tags.
	// What runs right after CreateKey, before the key has its alias, is on key/* of the stack's account and
	// Regions (AWS picks key IDs). What changes an existing key (its policy, description, tags) is only for
	// keys that carry one of the plan's aliases (kms:ResourceAliases, D5): every key the program creates
	// has one, so a deployer cannot rewrite the policy or tags of any other key in the account.
	KMSKey: {
		ReplaceOnChange: []string{"customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"},
		Policy:          &PolicyInput{"policy", "KMS key policy", policy.KeyPolicyLimit},
		Identity:        kmsKeyIdentity,
		Names:           Names{Object: "KMS key"},
		Deployer: &Deployer{Sid: "KmsKey", Source: "internal/service/kms/key.go", Grants: []Grant{{
			Create: []string{"kms:EnableKeyRotation", "kms:GetKeyRotationStatus", "kms:GetKeyPolicy",
				"kms:ListResourceTags", "kms:DescribeKey"},
			Read:   []string{"kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"},
			Delete: []string{"kms:ScheduleKeyDeletion", "kms:DescribeKey"},
			On:     OnStackKeys,
		}, {
			Sid:    "Change",
			Update: []string{"kms:EnableKey", "kms:EnableKeyRotation", "kms:UpdateKeyDescription", "kms:PutKeyPolicy", "kms:TagResource", "kms:UntagResource"},
			On:     OnStackKeys,
			If:     IfStackKeyAliases,
		}, {
			Sid:    "Create",
			Create: []string{"kms:CreateKey"},
			On:     OnAnyResource,
			If:     IfKeyLikePlan,
		}, {
			Sid:      "Tag",
			Create:   []string{"kms:TagResource"},
			OnlyWhen: "tags",
			On:       OnAnyResource,
			If:       IfPlanTags,
		}}},
	},

	// internal/service/kms/alias.go: CreateAlias (authorised on the alias and on its key), ListAliases
	// (findAliasByName, the read; no resource type, so "*"), UpdateAlias (on the alias, the old key and the
	// new key), DeleteAlias (on the alias and its key).
	KMSAlias: {
		ReplaceOnChange: []string{"name", "namePrefix"},
		Identity:        kmsAliasIdentity,
		Names:           Names{Object: "KMS alias", Scope: ScopeRegion, Inputs: []string{"name"}},
		Deployer: &Deployer{Sid: "KmsAlias", Source: "internal/service/kms/alias.go", Grants: []Grant{{
			Create: []string{"kms:CreateAlias"},
			Update: []string{"kms:UpdateAlias"},
			Delete: []string{"kms:DeleteAlias"},
			On:     OnAliasAndKeys,
		}, {
			Sid:    "List",
			Create: []string{"kms:ListAliases"},
			Read:   []string{"kms:ListAliases"},
			On:     OnAnyResource,
		}}},
	},

	// internal/service/iam/role.go: resourceRoleCreate (CreateRole with its tags, which needs iam:TagRole,
	// and with its permissions boundary, which needs iam:PutRolePermissionsBoundary), resourceRoleRead
	// (GetRole; readRoleInlinePolicies: ListRolePolicies and GetRolePolicy; findRoleAttachedPolicies:
	// ListAttachedRolePolicies), resourceRoleUpdate (UpdateAssumeRolePolicy, UpdateRoleDescription,
	// UpdateRole for the session duration, PutRolePermissionsBoundary when the boundary changes,
	// TagRole/UntagRole), resourceRoleDelete/deleteRole (ListInstanceProfilesForRole,
	// ListAttachedRolePolicies, ListRolePolicies and DeleteRolePolicy for the inline policies the read
	// recorded, DeleteRole). permissionsBoundary is not ForceNew: a role gains the boundary in place.
	IAMRole: {
		ReplaceOnChange: []string{"name", "namePrefix", "path"},
		Policy:          &PolicyInput{"assumeRolePolicy", "IAM role trust policy", policy.TrustPolicyLimit},
		Identity:        iamRoleIdentity,
		Names:           Names{Object: "IAM role", Scope: ScopeAccount, Inputs: []string{"name"}},
		Deployer: &Deployer{Sid: "IamRole", Source: "internal/service/iam/role.go", Grants: []Grant{{
			Create: []string{"iam:CreateRole", "iam:TagRole", "iam:GetRole", "iam:ListRolePolicies",
				"iam:GetRolePolicy", "iam:ListAttachedRolePolicies"},
			Read: []string{"iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies"},
			Update: []string{"iam:UpdateAssumeRolePolicy", "iam:UpdateRoleDescription", "iam:UpdateRole",
				"iam:TagRole", "iam:UntagRole"},
			Delete: []string{"iam:ListInstanceProfilesForRole", "iam:ListAttachedRolePolicies",
				"iam:ListRolePolicies", "iam:DeleteRolePolicy", "iam:DeleteRole"},
			When: map[string][]string{"permissionsBoundary": {"iam:PutRolePermissionsBoundary"}},
			On:   OnRole,
		}}},
	},

	// internal/service/iam/role_policy.go: PutRolePolicy (create, update), GetRolePolicy (read, and the
	// read after create), DeleteRolePolicy. All are authorised on the role.
	IAMRolePolicy: {
		ReplaceOnChange: []string{"name", "namePrefix", "role"},
		Policy:          &PolicyInput{"policy", "IAM role inline policy", policy.RoleInlinePolicyLimit},
		Identity:        iamRolePolicyIdentity,
		Names:           Names{Object: "inline policy of IAM role", Scope: ScopeAccount, Inputs: []string{"role", "name"}},
		Deployer: &Deployer{Sid: "IamRolePolicy", Source: "internal/service/iam/role_policy.go", Grants: []Grant{{
			Create: []string{"iam:PutRolePolicy", "iam:GetRolePolicy"},
			Read:   []string{"iam:GetRolePolicy"},
			Update: []string{"iam:PutRolePolicy"},
			Delete: []string{"iam:DeleteRolePolicy"},
			On:     OnRoleInput,
		}}},
	},

	// internal/service/iam/policy.go: resourcePolicyCreate (CreatePolicy with its tags, which needs
	// iam:TagPolicy), resourcePolicyRead (GetPolicy, GetPolicyVersion of the default version,
	// ListPolicyTags), resourcePolicyUpdate (policyPruneVersions: ListPolicyVersions and DeletePolicyVersion
	// of the oldest when five exist; CreatePolicyVersion with SetAsDefault, which IAM authorises as
	// iam:SetDefaultPolicyVersion too; TagPolicy/UntagPolicy), resourcePolicyDelete
	// (policyDeleteNonDefaultVersions: ListPolicyVersions, DeletePolicyVersion; DeletePolicy).
	IAMPolicy: {
		ReplaceOnChange: []string{"description", "name", "namePrefix", "path"},
		Policy:          &PolicyInput{"policy", "IAM managed policy", policy.ManagedPolicyLimit},
		Identity:        iamPolicyIdentity,
		Names:           Names{Object: "IAM managed policy", Scope: ScopeAccount, Inputs: []string{"path", "name"}},
		Deployer: &Deployer{Sid: "IamPolicy", Source: "internal/service/iam/policy.go", Grants: []Grant{{
			Create: []string{"iam:CreatePolicy", "iam:TagPolicy", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyTags"},
			Read:   []string{"iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyTags"},
			Update: []string{"iam:ListPolicyVersions", "iam:DeletePolicyVersion", "iam:CreatePolicyVersion",
				"iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"},
			Delete: []string{"iam:ListPolicyVersions", "iam:DeletePolicyVersion", "iam:DeletePolicy"},
			On:     OnManagedPolicy,
		}}},
	},

	// internal/service/iam/role_policy_attachment.go: AttachRolePolicy (create), ListAttachedRolePolicies
	// (read, and the read after create), DetachRolePolicy (delete). All are authorised on the role, and
	// carry the policy's ARN in iam:PolicyARN (D7): the grant names the plan's own managed policies.
	IAMRolePolicyAttachment: {
		ReplaceOnChange: []string{"policyArn", "role"},
		Identity:        iamAttachmentIdentity,
		Names:           Names{Object: "policy attachment of IAM role", Scope: ScopeAccount, Inputs: []string{"role", "policyArn"}},
		Deployer: &Deployer{Sid: "IamRolePolicyAttachment", Source: "internal/service/iam/role_policy_attachment.go", Grants: []Grant{{
			Create: []string{"iam:AttachRolePolicy"},
			Delete: []string{"iam:DetachRolePolicy"},
			On:     OnRoleInput,
			If:     IfAttachesPlanPolicy,
		}, {
			Sid:    "List",
			Create: []string{"iam:ListAttachedRolePolicies"},
			Read:   []string{"iam:ListAttachedRolePolicies"},
			On:     OnRoleInput,
		}}},
	},

	// internal/service/s3/bucket.go: resourceBucketCreate (CreateBucket, then HeadBucket until it exists,
	// bucketCreateTags: PutBucketTagging), resourceBucketRead (HeadBucket, GetBucketPolicy, GetBucketAcl,
	// GetBucketCors, GetBucketWebsite, GetBucketVersioning, GetBucketAccelerateConfiguration,
	// GetBucketRequestPayment, GetBucketLogging, GetBucketLifecycleConfiguration, GetBucketReplication,
	// GetBucketEncryption, GetObjectLockConfiguration, HeadBucket for the Region, GetBucketTagging for
	// tags), resourceBucketUpdate (only tags for the arguments this program sets: PutBucketTagging,
	// DeleteBucketTagging, both s3:PutBucketTagging), resourceBucketDelete (DeleteBucket). HeadBucket is
	// authorised as s3:ListBucket. CreateBucket with x-amz-bucket-object-lock-enabled needs
	// s3:PutBucketObjectLockConfiguration and s3:PutBucketVersioning too (S3 API reference, CreateBucket).
	S3Bucket: {
		ReplaceOnChange: []string{"bucket", "bucketPrefix", "objectLockEnabled"},
		Identity:        s3BucketIdentity,
		Names:           Names{Object: "S3 bucket", Scope: ScopeGlobal, Inputs: []string{"bucket"}},
		Deployer: &Deployer{Sid: "S3Bucket", Source: "internal/service/s3/bucket.go", Grants: []Grant{{
			Create: []string{"s3:CreateBucket", "s3:PutBucketTagging"},
			Read: []string{"s3:ListBucket", "s3:GetBucketPolicy", "s3:GetBucketAcl", "s3:GetBucketCORS",
				"s3:GetBucketWebsite", "s3:GetBucketVersioning", "s3:GetAccelerateConfiguration",
				"s3:GetBucketRequestPayment", "s3:GetBucketLogging", "s3:GetLifecycleConfiguration",
				"s3:GetReplicationConfiguration", "s3:GetEncryptionConfiguration",
				"s3:GetBucketObjectLockConfiguration", "s3:GetBucketTagging"},
			Update: []string{"s3:PutBucketTagging"},
			Delete: []string{"s3:DeleteBucket"},
			When:   map[string][]string{"objectLockEnabled": {"s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning"}},
			On:     OnBucket,
		}, {
			// force_destroy empties the bucket first (emptyBucket: ListObjectVersions, DeleteObjects, and
			// BypassGovernanceRetention for objects under Object Lock governance mode).
			Sid:      "ForceDestroy",
			Delete:   []string{"s3:ListBucketVersions", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"},
			OnlyWhen: "forceDestroy",
			On:       OnBucketAndObjects,
		}}},
	},

	// internal/service/s3/bucket_policy.go: PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy (its own
	// IAM action, s3:DeleteBucketPolicy).
	S3BucketPolicy: {
		ReplaceOnChange: []string{"bucket"},
		Policy:          &PolicyInput{"policy", "S3 bucket policy", policy.BucketPolicyLimit},
		Identity:        s3PartIdentity,
		Names:           bucketPart("policy of S3 bucket"),
		Deployer: s3Part("S3BucketPolicy", "internal/service/s3/bucket_policy.go",
			"s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"),
	},

	// internal/service/s3/bucket_versioning.go: PutBucketVersioning (create, update; delete suspends
	// versioning with PutBucketVersioning), GetBucketVersioning (read, and the wait after create).
	S3BucketVersioning: {
		ReplaceOnChange: []string{"bucket", "expectedBucketOwner"},
		Identity:        s3PartIdentity,
		Names:           bucketPart("versioning of S3 bucket"),
		Deployer: s3Part("S3BucketVersioning", "internal/service/s3/bucket_versioning.go",
			"s3:PutBucketVersioning", "s3:GetBucketVersioning", "s3:PutBucketVersioning"),
	},

	// internal/service/s3/bucket_server_side_encryption_configuration.go: PutBucketEncryption
	// (s3:PutEncryptionConfiguration), GetBucketEncryption (s3:GetEncryptionConfiguration),
	// DeleteBucketEncryption (s3:PutEncryptionConfiguration).
	S3BucketEncryption: {
		ReplaceOnChange: []string{"bucket", "expectedBucketOwner"},
		Identity:        s3PartIdentity,
		Names:           bucketPart("default encryption of S3 bucket"),
		Deployer: s3Part("S3BucketEncryption", "internal/service/s3/bucket_server_side_encryption_configuration.go",
			"s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration"),
	},

	// internal/service/s3/bucket_ownership_controls.go: PutBucketOwnershipControls,
	// GetBucketOwnershipControls, DeleteBucketOwnershipControls (s3:PutBucketOwnershipControls).
	S3BucketOwnershipControls: {
		ReplaceOnChange: []string{"bucket"},
		Identity:        s3PartIdentity,
		Names:           bucketPart("ownership controls of S3 bucket"),
		Deployer: s3Part("S3BucketOwnershipControls", "internal/service/s3/bucket_ownership_controls.go",
			"s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls"),
	},

	// internal/service/s3/bucket_public_access_block.go: PutPublicAccessBlock (s3:PutBucketPublicAccessBlock),
	// GetPublicAccessBlock (s3:GetBucketPublicAccessBlock), DeletePublicAccessBlock
	// (s3:PutBucketPublicAccessBlock).
	S3BucketPublicAccessBlock: {
		ReplaceOnChange: []string{"bucket"},
		Identity:        s3PartIdentity,
		Names:           bucketPart("public access block of S3 bucket"),
		Deployer: s3Part("S3BucketPublicAccessBlock", "internal/service/s3/bucket_public_access_block.go",
			"s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"),
	},

	// internal/service/s3/bucket_lifecycle_configuration.go: PutBucketLifecycleConfiguration
	// (s3:PutLifecycleConfiguration), GetBucketLifecycleConfiguration (s3:GetLifecycleConfiguration; also
	// the wait after create and update), DeleteBucketLifecycle (s3:PutLifecycleConfiguration).
	S3BucketLifecycle: {
		ReplaceOnChange: []string{"bucket", "expectedBucketOwner"},
		Identity:        s3PartIdentity,
		Names:           bucketPart("lifecycle configuration of S3 bucket"),
		Deployer: s3Part("S3BucketLifecycle", "internal/service/s3/bucket_lifecycle_configuration.go",
			"s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration"),
	},

	// internal/service/s3/bucket_object_lock_configuration.go: PutObjectLockConfiguration
	// (s3:PutBucketObjectLockConfiguration; delete puts it again without the default retention rule),
	// GetObjectLockConfiguration (s3:GetBucketObjectLockConfiguration). object_lock_enabled is ForceNew.
	S3BucketObjectLock: {
		ReplaceOnChange: []string{"bucket", "expectedBucketOwner", "objectLockEnabled"},
		Identity:        s3PartIdentity,
		Names:           bucketPart("Object Lock configuration of S3 bucket"),
		Deployer: s3Part("S3BucketObjectLock", "internal/service/s3/bucket_object_lock_configuration.go",
			"s3:PutBucketObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration", "s3:PutBucketObjectLockConfiguration"),
	},

	// internal/service/s3/bucket_replication_configuration.go: PutBucketReplication
	// (s3:PutReplicationConfiguration, and iam:PassRole on the replication role: S3 checks the caller may
	// pass it), GetBucketReplication (s3:GetReplicationConfiguration), DeleteBucketReplication
	// (s3:PutReplicationConfiguration).
	S3BucketReplication: {
		ReplaceOnChange: []string{"bucket"},
		Identity:        s3PartIdentity,
		Names:           bucketPart("replication configuration of S3 bucket"),
		Deployer: &Deployer{Sid: "S3BucketReplication", Source: "internal/service/s3/bucket_replication_configuration.go", Grants: []Grant{{
			Create: []string{"s3:PutReplicationConfiguration", "s3:GetReplicationConfiguration"},
			Read:   []string{"s3:GetReplicationConfiguration"},
			Update: []string{"s3:PutReplicationConfiguration"},
			Delete: []string{"s3:PutReplicationConfiguration"},
			On:     OnBucket,
		}, {
			Sid:    "PassRole",
			Create: []string{"iam:PassRole"},
			Update: []string{"iam:PassRole"},
			On:     OnRoleInput,
			If:     IfPassedToS3,
		}}},
	},

	// internal/service/s3/bucket_notification.go: PutBucketNotificationConfiguration
	// (s3:PutBucketNotification; delete puts an empty configuration), GetBucketNotificationConfiguration
	// (s3:GetBucketNotification).
	S3BucketNotification: {
		ReplaceOnChange: []string{"bucket"},
		Identity:        s3PartIdentity,
		Names:           bucketPart("notification configuration of S3 bucket"),
		Deployer: s3Part("S3BucketNotification", "internal/service/s3/bucket_notification.go",
			"s3:PutBucketNotification", "s3:GetBucketNotification", "s3:PutBucketNotification"),
	},

	// internal/service/cloudwatch/metric_alarm.go: PutMetricAlarm (with tags: cloudwatch:TagResource),
	// DescribeAlarms and ListTagsForResource (read), TagResource/UntagResource, DeleteAlarms. alarm_name is
	// ForceNew.
	CloudWatchMetricAlarm: {
		ReplaceOnChange: []string{"name"},
		Identity:        Identity{ID: byName},
		Names:           Names{Object: "CloudWatch alarm", Scope: ScopeRegion, Inputs: []string{"name"}},
		Deployer: &Deployer{Sid: "CloudWatchMetricAlarm", Source: "internal/service/cloudwatch/metric_alarm.go", Grants: []Grant{{
			Create: []string{"cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"},
			Read:   []string{"cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"},
			Update: []string{"cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource"},
			Delete: []string{"cloudwatch:DeleteAlarms"},
			On:     OnAlarm,
		}}},
	},

	// internal/service/sns/topic.go: CreateTopic (tags need sns:TagResource), SetTopicAttributes,
	// GetTopicAttributes and ListTagsForResource (read), TagResource/UntagResource, DeleteTopic. name and
	// fifo_topic are ForceNew.
	SNSTopic: {
		ReplaceOnChange: []string{"fifoTopic", "name", "namePrefix"},
		Identity:        snsTopicIdentity,
		Names:           Names{Object: "SNS topic", Scope: ScopeRegion, Inputs: []string{"name"}},
		Deployer: &Deployer{Sid: "SnsTopic", Source: "internal/service/sns/topic.go", Grants: []Grant{{
			Create: []string{"sns:CreateTopic", "sns:TagResource", "sns:SetTopicAttributes", "sns:GetTopicAttributes", "sns:ListTagsForResource"},
			Read:   []string{"sns:GetTopicAttributes", "sns:ListTagsForResource"},
			Update: []string{"sns:SetTopicAttributes", "sns:TagResource", "sns:UntagResource"},
			Delete: []string{"sns:DeleteTopic"},
			On:     OnTopic,
		}}},
	},

	// internal/service/sns/topic_policy.go: SetTopicAttributes (Policy; delete writes the default policy
	// back), GetTopicAttributes. arn is ForceNew.
	SNSTopicPolicy: {
		ReplaceOnChange: []string{"arn"},
		Policy:          &PolicyInput{"policy", "SNS topic policy", policy.TopicPolicyLimit},
		Identity:        snsTopicPolicyIdentity,
		// A topic's ARN names its Region and account already.
		Names: Names{Object: "policy of SNS topic", Scope: ScopeGlobal, Inputs: []string{"arn"}},
		Deployer: &Deployer{Sid: "SnsTopicPolicy", Source: "internal/service/sns/topic_policy.go", Grants: []Grant{{
			Create: []string{"sns:SetTopicAttributes", "sns:GetTopicAttributes"},
			Read:   []string{"sns:GetTopicAttributes"},
			Update: []string{"sns:SetTopicAttributes"},
			Delete: []string{"sns:SetTopicAttributes"},
			On:     OnPolicyTopic,
		}}},
	},

	// --- The fleet view (components/monitoring.go, docs/fleet-health.md).
	// internal/service/oam/sink.go: CreateSink (tags: oam:TagResource), GetSink and ListTagsForResource
	// (read), TagResource/UntagResource, DeleteSink. name is ForceNew (M1). pulumi-aws IDs a sink by its
	// ARN, which ends in an ID AWS assigns: sink/*.
	OAMSink: {
		ReplaceOnChange: []string{"name"},
		Identity:        oamSinkIdentity,
		// One sink per account and Region (M1), named; its policy and the links name it by its ARN, and an
		// account has one link per sink.
		Names: Names{Object: "OAM sink", Scope: ScopeRegion, Inputs: []string{"name"}},
		Deployer: &Deployer{Sid: "OamSink", Source: "internal/service/oam/sink.go", Grants: []Grant{{
			Create: []string{"oam:CreateSink", "oam:TagResource", "oam:GetSink", "oam:ListTagsForResource"},
			Read:   []string{"oam:GetSink", "oam:ListTagsForResource"},
			Update: []string{"oam:TagResource", "oam:UntagResource"},
			Delete: []string{"oam:DeleteSink"},
			On:     OnSink,
		}}},
	},

	// internal/service/oam/sink_policy.go: PutSinkPolicy, GetSinkPolicy; its delete writes nothing back.
	// sink_identifier is ForceNew; the ID is the sink's ARN (M2).
	OAMSinkPolicy: {
		ReplaceOnChange: []string{"sinkIdentifier"},
		Policy:          &PolicyInput{"policy", "OAM sink policy", policy.SinkPolicyLimit},
		Identity:        Identity{ID: func(_ Location, in Inputs, _, _ string) string { return in.Str("sinkIdentifier") }},
		Names:           Names{Object: "policy of OAM sink", Scope: ScopeGlobal, Inputs: []string{"sinkIdentifier"}},
		Deployer: &Deployer{Sid: "OamSinkPolicy", Source: "internal/service/oam/sink_policy.go", Grants: []Grant{{
			Create: []string{"oam:PutSinkPolicy", "oam:GetSinkPolicy"},
			Read:   []string{"oam:GetSinkPolicy"},
			Update: []string{"oam:PutSinkPolicy"},
			On:     OnSink,
		}}},
	},

	// internal/service/oam/link.go: CreateLink, which also needs cloudwatch:Link for the metrics it shares
	// (M8), GetLink, UpdateLink (resource types and the link configuration change in place), DeleteLink;
	// tags through oam:TagResource. sink_identifier and label_template are ForceNew. The link is in the
	// source account; the sink it names is the archive's. cloudwatch:Link has no resource type: "*".
	OAMLink: {
		ReplaceOnChange: []string{"labelTemplate", "sinkIdentifier"},
		Identity:        oamLinkIdentity,
		Names:           Names{Object: "OAM link to sink", Scope: ScopeGlobal, Inputs: []string{"sinkIdentifier"}},
		Deployer: &Deployer{Sid: "OamLink", Source: "internal/service/oam/link.go", Grants: []Grant{{
			Create: []string{"oam:CreateLink", "oam:TagResource", "oam:GetLink", "oam:ListTagsForResource"},
			Read:   []string{"oam:GetLink", "oam:ListTagsForResource"},
			Update: []string{"oam:UpdateLink", "oam:TagResource", "oam:UntagResource"},
			Delete: []string{"oam:DeleteLink"},
			On:     OnLink,
		}, {
			Sid:    "ShareMetrics",
			Create: []string{"cloudwatch:Link"},
			Update: []string{"cloudwatch:Link"},
			On:     OnAnyResource,
		}}},
	},

	// internal/service/cloudwatch/dashboard.go: PutDashboard, GetDashboard (read), DeleteDashboards.
	// dashboard_name is ForceNew. Dashboards are global to the account: their ARN has no Region (M6).
	CloudWatchDashboard: {
		ReplaceOnChange: []string{"dashboardName"},
		Identity:        cloudWatchDashboardIdentity,
		// Dashboards are global to the account (M6).
		Names: Names{Object: "CloudWatch dashboard", Scope: ScopeAccount, Inputs: []string{"dashboardName"}},
		Deployer: &Deployer{Sid: "CloudWatchDashboard", Source: "internal/service/cloudwatch/dashboard.go", Grants: []Grant{{
			Create: []string{"cloudwatch:PutDashboard", "cloudwatch:GetDashboard"},
			Read:   []string{"cloudwatch:GetDashboard"},
			Update: []string{"cloudwatch:PutDashboard"},
			Delete: []string{"cloudwatch:DeleteDashboards"},
			On:     OnDashboard,
		}}},
	},

	// A provider for another Region: its name carries the Region, so its Region never changes in place;
	// if it did, pulumi-aws (since v6.38, pulumi/pulumi-aws#4000) would replace every resource under it.
	AWSProvider: {
		ReplaceOnChange: []string{"region"},
		Identity:        providerIdentity,
		Names:           Names{Object: "AWS provider"},
	},
}

// Provider is what the AWS provider itself calls whatever the stack holds: its account check
// (aws:allowedAccountIds) and account lookup call sts:GetCallerIdentity (internal/conns/config.go).
var Provider = Deployer{Sid: "ProviderAccountCheck", Source: "internal/conns/config.go (provider configuration)", Grants: []Grant{{
	Create: []string{"sts:GetCallerIdentity"},
	Read:   []string{"sts:GetCallerIdentity"},
	On:     OnAnyResource,
}}}
