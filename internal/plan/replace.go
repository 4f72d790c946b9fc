package plan

import "slices"

// ReplaceOnChange lists, per resource type this program registers, the inputs whose change makes `pulumi up`
// replace the resource (create a new one, delete the old) instead of updating it in place.
//
// Where it comes from: pulumi-aws v6.83.4 is bridged from the Terraform AWS provider, and its replacements are
// that provider's `ForceNew: true` (SDKv2) or `RequiresReplace()` (plugin framework) attributes, which the
// bridge reports as replace-on-change. The list holds those attributes, by their Pulumi input names, for the
// resources in internal/service/kms/{key,alias}.go, internal/service/iam/{role,role_policy,policy,role_policy_attachment}.go,
// internal/service/s3/bucket*.go and the alarm resources below, of hashicorp/terraform-provider-aws. It names every such attribute of these
// types, including ones the program does not set today, so a new input is covered the day it appears. A type
// missing here is reported as unknown by a test, so adding a resource type means adding it here.
var ReplaceOnChange = map[string][]string{
	"aws:kms/key:Key":                                   {"customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"},
	"aws:kms/alias:Alias":                               {"name", "namePrefix"},
	"aws:iam/role:Role":                                 {"name", "namePrefix", "path"},
	"aws:iam/rolePolicy:RolePolicy":                     {"name", "namePrefix", "role"},
	"aws:iam/policy:Policy":                             {"description", "name", "namePrefix", "path"},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment": {"policyArn", "role"},
	// A source stack's provider for another Region: its name carries the Region, so its Region never
	// changes (a changed Region would replace everything under it, pulumi-aws#4000); its other settings,
	// the stack's aws: ones, update it in place.
	"pulumi:providers:aws":                         {},
	"aws:s3/bucketV2:BucketV2":                     {"bucket", "bucketPrefix", "objectLockEnabled"},
	"aws:s3/bucketPolicy:BucketPolicy":             {"bucket"},
	"aws:s3/bucketVersioningV2:BucketVersioningV2": {"bucket", "expectedBucketOwner"},
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": {"bucket", "expectedBucketOwner"},
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":                                     {"bucket"},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":                                     {"bucket"},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":                       {"bucket", "expectedBucketOwner"},
	"aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2":                     {"bucket", "expectedBucketOwner", "objectLockEnabled"},
	"aws:s3/bucketReplicationConfig:BucketReplicationConfig":                                     {"bucket"},
	// The replication alarms: internal/service/cloudwatch/metric_alarm.go, internal/service/sns/topic.go and
	// topic_policy.go, internal/service/s3/bucket_notification.go.
	"aws:cloudwatch/metricAlarm:MetricAlarm":       {"name"},
	"aws:sns/topic:Topic":                          {"fifoTopic", "name", "namePrefix"},
	"aws:sns/topicPolicy:TopicPolicy":              {"arn"},
	"aws:s3/bucketNotification:BucketNotification": {"bucket"},
}

// replacedBy returns the changed inputs that force a replacement of a resource of type typ.
func replacedBy(typ string, changed []string) []string {
	var out []string
	for _, k := range changed {
		if slices.Contains(ReplaceOnChange[typ], k) {
			out = append(out, k)
		}
	}
	return out
}
