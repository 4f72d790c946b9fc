package awsid

import (
	"fmt"
	"slices"
)

// BucketArn is the ARN of an S3 bucket in the Region's partition.
func BucketArn(region, bucket string) string { return ARNsFor(region).Bucket(bucket) }

// ReplicationRoleArnPattern is the aws:PrincipalArn pattern the archive's policies pin the replication role
// with, in the Region's partition (R2.4, R3.3).
func ReplicationRoleArnPattern(region, path, name string) string {
	return ARNsFor(region).RoleInAnyAccount(path, name)
}

// ARNs builds the ARNs this program writes into policies, for one partition.
type ARNs struct{ Partition string }

// ARNsFor is the builder for the partition of region.
func ARNsFor(region string) ARNs {
	p, _ := PartitionOf(region)
	return ARNs{Partition: p}
}

func (a ARNs) AccountRoot(account string) string {
	return fmt.Sprintf("arn:%s:iam::%s:root", a.Partition, account)
}

// accountRoots are the root principals of accounts, sorted.
func (a ARNs) AccountRoots(accounts []string) []string {
	out := make([]string, 0, len(accounts))
	for _, id := range slices.Sorted(slices.Values(accounts)) {
		out = append(out, a.AccountRoot(id))
	}
	return out
}

func (a ARNs) Bucket(name string) string { return fmt.Sprintf("arn:%s:s3:::%s", a.Partition, name) }

func (a ARNs) Objects(bucket string) string { return a.Bucket(bucket) + "/*" }

func (a ARNs) Role(account, path, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role%s%s", a.Partition, account, path, name)
}

func (a ARNs) Key(region, account, id string) string {
	return fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", a.Partition, region, account, id)
}

// Detector is a GuardDuty detector's ARN, the aws:SourceArn GuardDuty sends (G1).
func (a ARNs) Detector(region, account, id string) string {
	return fmt.Sprintf("arn:%s:guardduty:%s:%s:detector/%s", a.Partition, region, account, id)
}

// Trail is a trail's ARN in its home Region, the aws:SourceArn CloudTrail sends (C1).
func (a ARNs) Trail(region, account, name string) string {
	return fmt.Sprintf("arn:%s:cloudtrail:%s:%s:trail/%s", a.Partition, region, account, name)
}

// TrailsOf matches every trail of an account in any Region: the kms:EncryptionContext:aws:cloudtrail:arn
// pattern of C1.
func (a ARNs) TrailsOf(account string) string {
	return fmt.Sprintf("arn:%s:cloudtrail:*:%s:trail/*", a.Partition, account)
}

// LogDelivery matches what CloudWatch Logs delivery sends as aws:SourceArn for VPC Flow Logs (V1).
func (a ARNs) LogDelivery(region, account string) string {
	return fmt.Sprintf("arn:%s:logs:%s:%s:*", a.Partition, region, account)
}

// AWSLogs is where CloudTrail and VPC Flow Logs write an account's objects: AWSLogs/<account>/ (C1, V1).
func (a ARNs) AWSLogs(bucket, account string) string {
	return a.Bucket(bucket) + "/AWSLogs/" + account + "/*"
}

// RoleInAnyAccount is the aws:PrincipalArn pattern that pins the replication role by path and name; the
// account is left open because another condition of the same statement fixes the accepted accounts or
// organization (aws:PrincipalAccount, kms:CallerAccount, aws:PrincipalOrgID: R2.4, R2.10, R2.13).
func (a ARNs) RoleInAnyAccount(path, name string) string {
	return fmt.Sprintf("arn:%s:iam::*:role%s%s", a.Partition, path, name)
}

// Topic is the ARN SNS gives a topic (a topic's ARN is fixed by its name and Region).
func (a ARNs) Topic(region, account, name string) string {
	return fmt.Sprintf("arn:%s:sns:%s:%s:%s", a.Partition, region, account, name)
}
