package catalog

// Deployer is what the provider calls for one resource type, as IAM actions, and on which ARNs. pulumi-aws
// v6 bridges the Terraform AWS provider (v5), so every list is taken from that provider's implementation of
// the resource (hashicorp/terraform-provider-aws, Source), each API call mapped to the IAM action the
// Service Authorization Reference names for it (they differ: PutBucketEncryption is
// s3:PutEncryptionConfiguration, DeleteBucketReplication is s3:PutReplicationConfiguration, ...).
//
// Create includes the reads the provider makes right after creating, Read is what `pulumi refresh` (and
// an import) calls, Update what an in-place change calls, Delete what `pulumi destroy` or a replacement
// calls. internal/deployer grants Delete only for resources the plan neither protects nor retains.
type Deployer struct {
	Sid    string // statement ID stem, e.g. "S3BucketVersioning"
	Source string // the Terraform provider file the lists come from
	Grants []Grant
}

// Grant is one group of actions on one kind of ARN.
type Grant struct {
	Sid                          string // appended to the Deployer's Sid; "" for the main grant
	Create, Read, Update, Delete []string
	// When adds create and update actions that only some inputs need: input name -> actions, granted when
	// the input is true or a non-empty string (Object Lock at bucket creation, a permissions boundary).
	When map[string][]string
	// OnlyWhen, when set, is an input that must be true or non-empty for the grant to apply at all.
	OnlyWhen string
	On       Scope
	If       Condition
}

// Scope says which ARNs a grant covers for one registered resource; internal/deployer builds them from the
// plan (a test checks it knows every scope used here).
type Scope string

const (
	// OnAnyResource is "*": actions with no resource type in the Service Authorization Reference.
	OnAnyResource Scope = "*"
	// OnBucket is the bucket the resource is or names (input "bucket").
	OnBucket Scope = "bucket"
	// OnBucketAndObjects is the bucket and bucket/*.
	OnBucketAndObjects Scope = "bucket and its objects"
	// OnStackKeys is key/* in the stack's account and Regions: AWS chooses key IDs.
	OnStackKeys Scope = "the stack's keys"
	// OnAliasAndKeys is the alias (input "name") and the keys it may point to.
	OnAliasAndKeys Scope = "alias and keys"
	// OnRole is the role the resource is, from its path and name.
	OnRole Scope = "role"
	// OnRoleInput is the role the resource names (input "role": a name of a role in the plan).
	OnRoleInput Scope = "role named by input role"
	// OnManagedPolicy is the managed policy the resource is, from its path and name.
	OnManagedPolicy Scope = "managed policy"
	// OnTopic is the SNS topic the resource is (input "name").
	OnTopic Scope = "topic"
	// OnPolicyTopic is the topic a topic policy sets (input "arn", or the topic it depends on).
	OnPolicyTopic Scope = "topic of a topic policy"
	// OnAlarm is the CloudWatch alarm the resource is (input "name").
	OnAlarm Scope = "alarm"
	// OnSink is sink/* in the stack's account and the resource's Region: AWS chooses sink IDs.
	OnSink Scope = "the stack's sinks"
	// OnLink is link/* in the stack's account and the resource's Region (AWS chooses link IDs), and the sink
	// the link names (input "sinkIdentifier"), which CreateLink is authorised on too.
	OnLink Scope = "the stack's links and their sink"
	// OnDashboard is the CloudWatch dashboard the resource is (input "dashboardName"); dashboards are global.
	OnDashboard Scope = "dashboard"
)

// Condition names the condition a grant carries for one registered resource; internal/deployer renders it.
type Condition string

const (
	NoCondition Condition = ""
	// IfPassedToS3 is iam:PassedToService = s3.amazonaws.com.
	IfPassedToS3 Condition = "role passed to S3"
	// IfKeyLikePlan narrows kms:CreateKey to keys like the plan's (spec, usage, origin, single-Region)
	// and refuses the policy lockout bypass.
	IfKeyLikePlan Condition = "key like the plan's"
	// IfPlanTags allows exactly the plan's tags: aws:TagKeys and each aws:RequestTag value.
	IfPlanTags Condition = "the plan's tags"
	// IfStackKeyAliases is kms:ResourceAliases: keys that carry one of the plan's aliases.
	IfStackKeyAliases Condition = "keys with the plan's aliases"
	// IfAttachesPlanPolicy is iam:PolicyARN: only the plan's own managed policies may be attached.
	IfAttachesPlanPolicy Condition = "the plan's managed policies"
)

// S3Part is the deployer entry of a bucket sub-resource: one put (create and update), one get (read, and
// the read after every put), and the call its delete makes, all on the bucket.
func s3Part(sid, source, put, get, del string) *Deployer {
	return &Deployer{Sid: sid, Source: source, Grants: []Grant{{
		Create: []string{put, get},
		Read:   []string{get},
		Update: []string{put},
		Delete: []string{del},
		On:     OnBucket,
	}}}
}
