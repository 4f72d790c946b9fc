package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The parts the archive and every log bucket share: a customer managed key, and a bucket that is private,
// owner-enforced, versioned and encrypted with that key by default. Names are the caller's name plus a
// fixed suffix; each caller passes its own options (the archive protects, a log bucket only retains).

// newCustomerManagedKey is a symmetric, single-Region, rotated key in the stack's Region (R3.1, G1, C1).
func newCustomerManagedKey(ctx *pulumi.Context, name string, description, policyJSON pulumi.StringInput,
	tags pulumi.StringMap, opts ...pulumi.ResourceOption) (*kms.Key, error) {
	key, err := kms.NewKey(ctx, name+"-key", &kms.KeyArgs{
		Description:           description,
		KeyUsage:              pulumi.String("ENCRYPT_DECRYPT"),
		CustomerMasterKeySpec: pulumi.String("SYMMETRIC_DEFAULT"),
		MultiRegion:           pulumi.Bool(false),
		EnableKeyRotation:     pulumi.Bool(true),
		DeletionWindowInDays:  pulumi.Int(30),
		Policy:                policyJSON,
		Tags:                  tags,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating %s-key: %w", name, err)
	}
	return key, nil
}

// newBucket creates a bucket, with Object Lock enabled from the start when the stack asks for it: a bucket
// created that way has versioning on at once, so its Object Lock configuration cannot fail on versioning
// that has not propagated yet (InvalidBucketState on a first deploy). objectLockEnabled is ignored after
// creation: the provider would replace the bucket to change it, and Object Lock is added to a live bucket
// by its configuration resource instead (newObjectLockRetention), an in-place update.
func newBucket(ctx *pulumi.Context, name, bucketName string, objectLock bool, tags pulumi.StringMap, opts ...pulumi.ResourceOption) (*s3.BucketV2, error) {
	args := &s3.BucketV2Args{Bucket: pulumi.String(bucketName), Tags: tags}
	if objectLock {
		args.ObjectLockEnabled = pulumi.Bool(true)
	}
	bucket, err := s3.NewBucketV2(ctx, name+"-bucket", args, append(opts, pulumi.IgnoreChanges([]string{"objectLockEnabled"}))...)
	if err != nil {
		return nil, fmt.Errorf("creating %s-bucket: %w", name, err)
	}
	return bucket, nil
}

// newObjectLockRetention enables Object Lock (on a bucket created without it, too) and sets its default
// retention (H3). S3 requires versioning first.
func newObjectLockRetention(ctx *pulumi.Context, name string, bucket *s3.BucketV2, owner pulumi.StringInput, ol *ObjectLockRetention,
	versioning pulumi.Resource, opts ...pulumi.ResourceOption) error {
	_, err := s3.NewBucketObjectLockConfigurationV2(ctx, name+"-object-lock", &s3.BucketObjectLockConfigurationV2Args{
		Bucket:              bucket.ID(),
		ExpectedBucketOwner: owner,
		ObjectLockEnabled:   pulumi.String("Enabled"),
		Rule: &s3.BucketObjectLockConfigurationV2RuleArgs{
			DefaultRetention: &s3.BucketObjectLockConfigurationV2RuleDefaultRetentionArgs{
				Mode: pulumi.String(ol.Mode),
				Days: pulumi.Int(ol.Days),
			},
		},
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{versioning}))...)
	if err != nil {
		return fmt.Errorf("creating %s-object-lock: %w", name, err)
	}
	return nil
}

// newPrivateBucketControls turns ACLs off with the bucket owner owning every object (R2.6, R1.11) and blocks
// all public access. It returns both, which a bucket policy must wait for: S3 answers OperationAborted
// when the policy and these change at the same time.
func newPrivateBucketControls(ctx *pulumi.Context, name string, bucket *s3.BucketV2, opts ...pulumi.ResourceOption) ([]pulumi.Resource, error) {
	ownership, err := s3.NewBucketOwnershipControls(ctx, name+"-ownership", &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.ID(),
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating %s-ownership: %w", name, err)
	}
	publicAccess, err := s3.NewBucketPublicAccessBlock(ctx, name+"-public-access-block", &s3.BucketPublicAccessBlockArgs{
		Bucket:                bucket.ID(),
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating %s-public-access-block: %w", name, err)
	}
	return []pulumi.Resource{publicAccess, ownership}, nil
}

// newBucketVersioning enables versioning, which replication needs on both sides (R4.1).
func newBucketVersioning(ctx *pulumi.Context, name string, bucket *s3.BucketV2, owner pulumi.StringInput, opts ...pulumi.ResourceOption) (*s3.BucketVersioningV2, error) {
	versioning, err := s3.NewBucketVersioningV2(ctx, name+"-versioning", &s3.BucketVersioningV2Args{
		Bucket:                  bucket.ID(),
		ExpectedBucketOwner:     owner,
		VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating %s-versioning: %w", name, err)
	}
	return versioning, nil
}

// newDefaultKMSEncryption makes SSE-KMS with the key the bucket's default, with the Bucket Key, which cuts
// KMS requests (§6) and makes the bucket ARN the encryption context (R1.16).
func newDefaultKMSEncryption(ctx *pulumi.Context, name string, bucket *s3.BucketV2, owner pulumi.StringInput, key *kms.Key, opts ...pulumi.ResourceOption) error {
	_, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name+"-encryption", &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket:              bucket.ID(),
		ExpectedBucketOwner: owner,
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{&s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm:   pulumi.String("aws:kms"),
				KmsMasterKeyId: key.Arn,
			},
			BucketKeyEnabled: pulumi.Bool(true),
		}},
	}, opts...)
	if err != nil {
		return fmt.Errorf("creating %s-encryption: %w", name, err)
	}
	return nil
}

// newBucketPolicy attaches the policy once the private-bucket controls are in place.
func newBucketPolicy(ctx *pulumi.Context, name string, bucket *s3.BucketV2, policyJSON pulumi.StringInput, controls []pulumi.Resource, opts ...pulumi.ResourceOption) error {
	_, err := s3.NewBucketPolicy(ctx, name+"-policy", &s3.BucketPolicyArgs{
		Bucket: bucket.ID(),
		Policy: policyJSON,
	}, append(opts, pulumi.DependsOn(controls))...)
	if err != nil {
		return fmt.Errorf("creating %s-policy: %w", name, err)
	}
	return nil
}
