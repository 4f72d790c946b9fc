package plan

import (
	"fmt"
	"strings"
)

// NameScope is where AWS keeps a name unique.
type NameScope string

const (
	ScopeGlobal  NameScope = "global"  // S3 bucket names: one namespace for every account and Region of a partition
	ScopeAccount NameScope = "account" // IAM: one namespace per account, whatever the Region
	ScopeRegion  NameScope = "region"  // everything else: per account and Region
)

// NamedObject says which AWS object a resource of one type names: Kind is the object ("SNS topic", "bucket
// policy of bucket"), Inputs the inputs that together name it (a resource that leaves one unset is named
// by Pulumi, with a random suffix, and names nothing another resource could). A type that names nothing
// (a KMS key, whose ID AWS assigns; a provider) has no Inputs.
type NamedObject struct {
	Kind   string
	Scope  NameScope
	Inputs []string
}

// NamedObjects is, for every resource type the program can register, the AWS object it names. Two
// resources of one stack that name the same object would share it: some AWS APIs refuse the second
// create, but others are idempotent (SNS CreateTopic) or overwrite (PutMetricAlarm, PutBucketPolicy,
// PutBucketNotificationConfiguration, SetTopicAttributes), so they fight over it, and the delete of either
// deletes it for both. A type missing here fails the test that checks the plans, so a new type must be
// classified.
var NamedObjects = map[string]NamedObject{
	"pulumi:providers:aws":                              {Kind: "AWS provider"},
	"aws:kms/key:Key":                                   {Kind: "KMS key"},
	"aws:kms/alias:Alias":                               {Kind: "KMS alias", Scope: ScopeRegion, Inputs: []string{"name"}},
	"aws:iam/role:Role":                                 {Kind: "IAM role", Scope: ScopeAccount, Inputs: []string{"name"}},
	"aws:iam/rolePolicy:RolePolicy":                     {Kind: "inline policy of IAM role", Scope: ScopeAccount, Inputs: []string{"role", "name"}},
	"aws:iam/policy:Policy":                             {Kind: "IAM managed policy", Scope: ScopeAccount, Inputs: []string{"path", "name"}},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment": {Kind: "policy attachment of IAM role", Scope: ScopeAccount, Inputs: []string{"role", "policyArn"}},
	"aws:s3/bucketV2:BucketV2":                          {Kind: "S3 bucket", Scope: ScopeGlobal, Inputs: []string{"bucket"}},
	"aws:s3/bucketPolicy:BucketPolicy":                  {Kind: "policy of S3 bucket", Scope: ScopeGlobal, Inputs: []string{"bucket"}},
	"aws:s3/bucketVersioningV2:BucketVersioningV2":      {Kind: "versioning of S3 bucket", Scope: ScopeGlobal, Inputs: []string{"bucket"}},
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": {Kind: "default encryption of S3 bucket", Scope: ScopeGlobal, Inputs: []string{"bucket"}},
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":                                     {Kind: "ownership controls of S3 bucket", Scope: ScopeGlobal, Inputs: []string{"bucket"}},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":                                     {Kind: "public access block of S3 bucket", Scope: ScopeGlobal, Inputs: []string{"bucket"}},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":                       {Kind: "lifecycle configuration of S3 bucket", Scope: ScopeGlobal, Inputs: []string{"bucket"}},
	"aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2":                     {Kind: "Object Lock configuration of S3 bucket", Scope: ScopeGlobal, Inputs: []string{"bucket"}},
	"aws:s3/bucketReplicationConfig:BucketReplicationConfig":                                     {Kind: "replication configuration of S3 bucket", Scope: ScopeGlobal, Inputs: []string{"bucket"}},
	"aws:s3/bucketNotification:BucketNotification":                                               {Kind: "notification configuration of S3 bucket", Scope: ScopeGlobal, Inputs: []string{"bucket"}},
	"aws:cloudwatch/metricAlarm:MetricAlarm":                                                     {Kind: "CloudWatch alarm", Scope: ScopeRegion, Inputs: []string{"name"}},
	"aws:sns/topic:Topic":                                                                        {Kind: "SNS topic", Scope: ScopeRegion, Inputs: []string{"name"}},
	// A topic's ARN names its Region and account already.
	"aws:sns/topicPolicy:TopicPolicy": {Kind: "policy of SNS topic", Scope: ScopeGlobal, Inputs: []string{"arn"}},
	// One sink per account and Region (M1), named; its policy and the links name it by its ARN, and an
	// account has one link per sink. Dashboards are global to the account (M6).
	"aws:oam/sink:Sink":                  {Kind: "OAM sink", Scope: ScopeRegion, Inputs: []string{"name"}},
	"aws:oam/sinkPolicy:SinkPolicy":      {Kind: "policy of OAM sink", Scope: ScopeGlobal, Inputs: []string{"sinkIdentifier"}},
	"aws:oam/link:Link":                  {Kind: "OAM link to sink", Scope: ScopeGlobal, Inputs: []string{"sinkIdentifier"}},
	"aws:cloudwatch/dashboard:Dashboard": {Kind: "CloudWatch dashboard", Scope: ScopeAccount, Inputs: []string{"dashboardName"}},
}

// ObjectNames maps each AWS object the plan's resources name, in the stack's account, to the URNs of the
// resources that name it ("SNS topic eu-west-1/log-archive-replication-alarms"). A resource's Region is
// its explicit provider's, or the stack's (stackRegion). It fails on a custom resource whose type
// NamedObjects does not classify.
func (p *Plan) ObjectNames(stackRegion string) (map[string][]string, error) {
	regions := map[string]string{} // provider URN -> its Region
	for _, s := range p.OfType("pulumi:providers:aws") {
		if r, ok := s.NewState.Inputs["region"].(string); ok {
			regions[s.URN] = r
		}
	}
	out := map[string][]string{}
	var unknown []string
	for _, s := range p.Creates() {
		if !s.NewState.Custom {
			continue
		}
		named, ok := NamedObjects[s.NewState.Type]
		if !ok {
			unknown = append(unknown, s.NewState.Type)
			continue
		}
		if len(named.Inputs) == 0 {
			continue
		}
		var parts []string
		for _, in := range named.Inputs {
			if v, ok := s.NewState.Inputs[in].(string); ok && v != "" {
				parts = append(parts, v)
			}
		}
		if len(parts) < len(named.Inputs) {
			continue // named by Pulumi
		}
		name := strings.Join(parts, ":")
		switch named.Scope {
		case ScopeRegion:
			region := stackRegion
			if ref := s.NewState.Provider; ref != "" {
				r, ok := regions[ref[:strings.LastIndex(ref, "::")]]
				if !ok {
					return nil, fmt.Errorf("%s: provider %s is not in the plan", s.URN, ref)
				}
				region = r
			}
			name = region + "/" + name
		case ScopeAccount:
			name = "iam/" + name
		}
		key := named.Kind + " " + name
		out[key] = append(out[key], s.URN)
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("resource types that plan.NamedObjects does not classify (say which input names the AWS object and where the name is unique): %s", strings.Join(unknown, ", "))
	}
	return out, nil
}
