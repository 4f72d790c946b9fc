// Package catalog is the one description of every resource type the program registers: which inputs force
// a replacement, which input holds a policy document and its AWS size limit, what AWS computes when the
// resource is created (its ID and output properties), which AWS object it names, and what the deploying
// principal must be allowed to call for it. The offline plan's mocks, its review diff, the engine test's fake provider and the deployer
// policy all read this table, so a fact about a resource type is written once.
//
// It imports nothing of the project's but the leaf internal/policy (the size limits), so every package may import it.
package catalog

import "sort"

// Type is a Pulumi resource type token.
type Type string

// The resource types the program registers (pulumi-aws v6.83.4), and the explicit provider.
const (
	KMSKey   Type = "aws:kms/key:Key"
	KMSAlias Type = "aws:kms/alias:Alias"

	IAMRole                 Type = "aws:iam/role:Role"
	IAMRolePolicy           Type = "aws:iam/rolePolicy:RolePolicy"
	IAMPolicy               Type = "aws:iam/policy:Policy"
	IAMRolePolicyAttachment Type = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"

	S3Bucket                  Type = "aws:s3/bucketV2:BucketV2"
	S3BucketPolicy            Type = "aws:s3/bucketPolicy:BucketPolicy"
	S3BucketVersioning        Type = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	S3BucketEncryption        Type = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	S3BucketOwnershipControls Type = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	S3BucketPublicAccessBlock Type = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	S3BucketLifecycle         Type = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	S3BucketObjectLock        Type = "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2"
	S3BucketReplication       Type = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
	S3BucketNotification      Type = "aws:s3/bucketNotification:BucketNotification"

	CloudWatchMetricAlarm Type = "aws:cloudwatch/metricAlarm:MetricAlarm"
	SNSTopic              Type = "aws:sns/topic:Topic"
	SNSTopicPolicy        Type = "aws:sns/topicPolicy:TopicPolicy"

	// The fleet view (components/monitoring.go, monitoringlinks.go).
	OAMSink             Type = "aws:oam/sink:Sink"
	OAMSinkPolicy       Type = "aws:oam/sinkPolicy:SinkPolicy"
	OAMLink             Type = "aws:oam/link:Link"
	CloudWatchDashboard Type = "aws:cloudwatch/dashboard:Dashboard"

	// AWSProvider is an explicit provider (one per Region other than the stack's). Pulumi's engine, not
	// AWS, creates it: it has no deployer actions of its own and no policy.
	AWSProvider Type = "pulumi:providers:aws"
)

// Info is everything the project knows about one resource type.
type Info struct {
	// ReplaceOnChange are the inputs whose change makes `pulumi up` replace the resource (create a new
	// one, delete the old) instead of updating it in place: the Terraform AWS provider's `ForceNew: true`
	// (SDKv2) or `RequiresReplace()` (plugin framework) attributes, which pulumi-aws bridges, by their
	// Pulumi input names. Every such attribute of the type is listed, including ones the program does not
	// set today, so a new input is covered the day it appears.
	ReplaceOnChange []string
	// Policy is the input that holds a policy document, nil when the type has none.
	Policy *PolicyInput
	// Identity is what AWS (as pulumi-aws reports it) assigns on create: the ID and computed outputs.
	Identity Identity
	// Deployer is what the deploying principal calls for the type (internal/deployer); nil only for the
	// provider, which the engine creates.
	Deployer *Deployer
	// Names is the AWS object a resource of the type names, and where that name is unique.
	Names Names
}

// PolicyInput says which input of a type holds a policy document, and its AWS size limit.
type PolicyInput struct {
	Input string
	Label string
	Limit int
}

// Of returns the catalogue entry of t.
func Of(t Type) (Info, bool) {
	info, ok := entries[t]
	return info, ok
}

// Types is every catalogued type, sorted.
func Types() []Type {
	out := make([]Type, 0, len(entries))
	for t := range entries {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// ReplacedBy returns the changed inputs that force a replacement of a resource of type t.
func ReplacedBy(t Type, changed []string) []string {
	var out []string
	for _, k := range changed {
		for _, r := range entries[t].ReplaceOnChange {
			if k == r {
				out = append(out, k)
			}
		}
	}
	return out
}
