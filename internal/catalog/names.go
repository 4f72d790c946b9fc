package catalog

// NameScope is where AWS keeps a name unique.
type NameScope string

const (
	ScopeGlobal  NameScope = "global"  // S3 bucket names: one namespace for every account and Region of a partition
	ScopeAccount NameScope = "account" // IAM: one namespace per account, whatever the Region
	ScopeRegion  NameScope = "region"  // everything else: per account and Region
)

// Names says which AWS object a resource of one type names: Object is the object ("SNS topic", "policy
// of S3 bucket"), Inputs the inputs that together name it (a resource that leaves one unset is named by
// Pulumi, with a random suffix, and names nothing another resource could). A type that names nothing (a
// KMS key, whose ID AWS assigns; a provider) has no Inputs.
//
// Two resources of one stack that name the same object would share it: some AWS APIs refuse the second
// create, but others are idempotent (SNS CreateTopic) or overwrite (PutMetricAlarm, PutBucketPolicy,
// PutBucketNotificationConfiguration, SetTopicAttributes), so they fight over it, and the delete of either
// deletes it for both (internal/plan's ObjectNames finds them).
type Names struct {
	Object string
	Scope  NameScope
	Inputs []string
}

// bucketPart is a bucket's sub-resource: one per bucket, named by the bucket's name.
func bucketPart(object string) Names {
	return Names{Object: object, Scope: ScopeGlobal, Inputs: []string{"bucket"}}
}
