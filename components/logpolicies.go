package components

import (
	"log-archive/internal/awsid"
	"log-archive/internal/policy"
)

// The key and bucket policies that let AWS log services write into KMS-encrypted buckets: a source
// account's own log bucket (SourceLogBucket). Services never write into the archive itself: they write
// into their account's log bucket, which replicates (see stackconfig's refusal of acceptCloudTrail).
// Every service statement carries the confused-deputy conditions its fact names, so a service acting for
// another account or resource is refused.

// Statement IDs of the log service statements.
const (
	sidSourceAccountAdmin      = "SourceAccountAdministersKey"
	SidGuardDutyEncrypts       = "GuardDutyEncryptsFindings"
	SidGuardDutyBucketLocation = "GuardDutyGetsBucketLocation"
	SidGuardDutyWrites         = "GuardDutyWritesFindings"
	sidCloudTrailEncrypts      = "CloudTrailEncryptsLogs"
	sidCloudTrailDescribesKey  = "CloudTrailDescribesKey"
	SidCloudTrailDecrypts      = "CloudTrailDecryptsWithBucketKey"
	sidCloudTrailAclCheck      = "CloudTrailChecksBucketAcl"
	sidCloudTrailWrites        = "CloudTrailWritesLogs"
	sidVPCFlowLogsUseKey       = "VPCFlowLogsUseKey"
	sidVPCFlowLogsAclCheck     = "VPCFlowLogsCheckBucketAcl"
	sidVPCFlowLogsWrite        = "VPCFlowLogsWriteLogs"
)

// Service principals of the log services. GuardDuty's is Regional in opt-in Regions: see guardDutyPrincipal.
const (
	guardDutyGlobalPrincipal = "guardduty.amazonaws.com"
	cloudTrailPrincipal      = "cloudtrail.amazonaws.com"
	logDeliveryPrincipal     = "delivery.logs.amazonaws.com" // VPC Flow Logs delivery to S3 (V1)
)

// flowLogsKeyActions is what VPC Flow Logs delivery needs on the key (V1).
var flowLogsKeyActions = []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}

// bucketOwnerFullControl is the canned ACL CloudTrail and Flow Logs send with every object (C1, V1). With
// BucketOwnerEnforced the ACL is ignored but must still be accepted, so the condition stays.
const bucketOwnerFullControl = "bucket-owner-full-control"

// logBucketKeyPolicy keeps the source account in control of the key and lets exactly the named services
// use it. The account root statement is also what lets the replication role's IAM policy grant kms:Decrypt
// (R1.18): the role is not named here, so the key policy is valid before the role exists.
func logBucketKeyPolicy(args *SourceLogBucketArgs) policy.Document {
	a, b := awsid.ARNsFor(args.Region), args.Bucket
	account, region := args.AccountID, b.serviceRegion(args.Region)
	stmts := []policy.Statement{{
		Sid:       sidSourceAccountAdmin,
		Effect:    "Allow",
		Principal: &policy.Principal{AWS: policy.Strings{a.AccountRoot(account)}},
		Action:    policy.Strings{"kms:*"},
		Resource:  policy.Strings{"*"},
	}}
	if b.Serves(GuardDuty) { // G1
		stmts = append(stmts, policy.Statement{
			Sid:       SidGuardDutyEncrypts,
			Effect:    "Allow",
			Principal: &policy.Principal{Service: policy.Strings{guardDutyPrincipal(region)}},
			Action:    policy.Strings{"kms:GenerateDataKey"},
			Resource:  policy.Strings{"*"},
			Condition: policy.Conditions{"StringEquals": {
				"aws:SourceAccount": {account},
				"aws:SourceArn":     {a.Detector(region, account, b.GuardDutyDetectorID)},
			}},
		})
	}
	if b.Serves(CloudTrail) { // C1
		trails := b.trailArns(a, region, account)
		stmts = append(stmts, policy.Statement{
			Sid:       sidCloudTrailEncrypts,
			Effect:    "Allow",
			Principal: &policy.Principal{Service: policy.Strings{cloudTrailPrincipal}},
			Action:    policy.Strings{"kms:GenerateDataKey*"},
			Resource:  policy.Strings{"*"},
			Condition: policy.Conditions{
				"StringEquals": {"aws:SourceAccount": {account}, "aws:SourceArn": trails},
				"StringLike":   {"kms:EncryptionContext:aws:cloudtrail:arn": {a.TrailsOf(account)}},
			},
		},
			// DescribeKey carries no encryption context, so it cannot share the statement above: the
			// context condition would be false and CloudTrail could not create or update the trail.
			cloudTrailKeyStatement(sidCloudTrailDescribesKey, "kms:DescribeKey", account, trails),
			// C1: the log bucket has an S3 Bucket Key (newDefaultKMSEncryption), and with one, creating or
			// updating a trail with SSE-KMS needs kms:Decrypt for the CloudTrail service principal. No
			// encryption context condition: under a Bucket Key S3 asks KMS with the bucket's context, not
			// the object's, and AWS's statement has none.
			cloudTrailKeyStatement(SidCloudTrailDecrypts, "kms:Decrypt", account, trails))
	}
	if b.Serves(VPCFlowLogs) { // V1
		stmts = append(stmts, policy.Statement{
			Sid:       sidVPCFlowLogsUseKey,
			Effect:    "Allow",
			Principal: &policy.Principal{Service: policy.Strings{logDeliveryPrincipal}},
			Action:    flowLogsKeyActions,
			Resource:  policy.Strings{"*"},
			Condition: flowLogsConditions(a, region, account),
		})
	}
	return policy.Document{Version: policy.Version, Statement: stmts}
}

// logBucketPolicy carries exactly the statements each named service needs to write, and the non-TLS deny
// (H1). Nothing else: readers get access through IAM in the account, not through this policy.
func logBucketPolicy(args *SourceLogBucketArgs) policy.Document {
	a, b := awsid.ARNsFor(args.Region), args.Bucket
	account, region := args.AccountID, b.serviceRegion(args.Region)
	var stmts []policy.Statement
	if b.Serves(GuardDuty) { // G1: the same conditions as the key statement, on the bucket and its objects
		cond := policy.Conditions{"StringEquals": {
			"aws:SourceAccount": {account},
			"aws:SourceArn":     {a.Detector(region, account, b.GuardDutyDetectorID)},
		}}
		stmts = append(stmts, policy.Statement{
			Sid: SidGuardDutyBucketLocation, Effect: "Allow",
			Principal: &policy.Principal{Service: policy.Strings{guardDutyPrincipal(region)}},
			Action:    policy.Strings{"s3:GetBucketLocation"},
			Resource:  policy.Strings{a.Bucket(b.Name)},
			Condition: cond,
		}, policy.Statement{
			Sid: SidGuardDutyWrites, Effect: "Allow",
			Principal: &policy.Principal{Service: policy.Strings{guardDutyPrincipal(region)}},
			Action:    policy.Strings{"s3:PutObject"},
			Resource:  policy.Strings{a.Objects(b.Name)},
			Condition: cond,
		})
	}
	if b.Serves(CloudTrail) { // C1
		trails := b.trailArns(a, region, account)
		stmts = append(stmts, policy.Statement{
			Sid: sidCloudTrailAclCheck, Effect: "Allow",
			Principal: &policy.Principal{Service: policy.Strings{cloudTrailPrincipal}},
			Action:    policy.Strings{"s3:GetBucketAcl"},
			Resource:  policy.Strings{a.Bucket(b.Name)},
			Condition: policy.Conditions{"StringEquals": {"aws:SourceAccount": {account}, "aws:SourceArn": trails}},
		}, policy.Statement{
			Sid: sidCloudTrailWrites, Effect: "Allow",
			Principal: &policy.Principal{Service: policy.Strings{cloudTrailPrincipal}},
			Action:    policy.Strings{"s3:PutObject"},
			Resource:  policy.Strings{a.AWSLogs(b.Name, account)},
			Condition: policy.Conditions{"StringEquals": {
				"aws:SourceAccount": {account},
				"aws:SourceArn":     trails,
				"s3:x-amz-acl":      {bucketOwnerFullControl},
			}},
		})
	}
	if b.Serves(VPCFlowLogs) { // V1
		write := flowLogsConditions(a, region, account)
		write["StringEquals"]["s3:x-amz-acl"] = policy.Strings{bucketOwnerFullControl}
		stmts = append(stmts, policy.Statement{
			// V1: AWS's own AWSLogDeliveryAclCheck grants ListBucket too. With exactly AWS's statements in the
			// policy, a flow log created by a principal that may rewrite the policy finds nothing to add.
			Sid: sidVPCFlowLogsAclCheck, Effect: "Allow",
			Principal: &policy.Principal{Service: policy.Strings{logDeliveryPrincipal}},
			Action:    policy.Strings{"s3:GetBucketAcl", "s3:ListBucket"},
			Resource:  policy.Strings{a.Bucket(b.Name)},
			Condition: flowLogsConditions(a, region, account),
		}, policy.Statement{
			Sid: sidVPCFlowLogsWrite, Effect: "Allow",
			Principal: &policy.Principal{Service: policy.Strings{logDeliveryPrincipal}},
			Action:    policy.Strings{"s3:PutObject"},
			Resource:  policy.Strings{a.AWSLogs(b.Name, account)},
			Condition: write,
		})
	}
	stmts = append(stmts, denyInsecureTransport(a, b.Name))
	return policy.Document{Version: policy.Version, Statement: stmts}
}

// cloudTrailKeyStatement lets CloudTrail call action on the key for the named trails of the account (C1).
func cloudTrailKeyStatement(sid, action, account string, trails policy.Strings) policy.Statement {
	return policy.Statement{
		Sid:       sid,
		Effect:    "Allow",
		Principal: &policy.Principal{Service: policy.Strings{cloudTrailPrincipal}},
		Action:    policy.Strings{action},
		Resource:  policy.Strings{"*"},
		Condition: policy.Conditions{"StringEquals": {"aws:SourceAccount": {account}, "aws:SourceArn": trails}},
	}
}

// flowLogsConditions is V1's confused-deputy pair: the account, and any log delivery source in it.
func flowLogsConditions(a awsid.ARNs, region, account string) policy.Conditions {
	return policy.Conditions{
		"StringEquals": {"aws:SourceAccount": {account}},
		"ArnLike":      {"aws:SourceArn": {a.LogDelivery(region, account)}},
	}
}

// denyInsecureTransport is H1 for one bucket: s3:* over plain HTTP is denied to everyone.
func denyInsecureTransport(a awsid.ARNs, bucket string) policy.Statement {
	return policy.Statement{
		Sid:       SidDenyInsecureTransport,
		Effect:    "Deny",
		Principal: &policy.Principal{Everyone: true},
		Action:    policy.Strings{"s3:*"},
		Resource:  policy.Strings{a.Bucket(bucket), a.Objects(bucket)},
		Condition: policy.Conditions{"Bool": {"aws:SecureTransport": {"false"}}},
	}
}

// guardDutyPrincipal is the principal GuardDuty exports findings as from the detector's Region: the global
// one, or guardduty.<region>.amazonaws.com in a Region that must be enabled manually (G1).
func guardDutyPrincipal(detectorRegion string) string {
	if awsid.IsOptInRegion(detectorRegion) {
		return "guardduty." + detectorRegion + ".amazonaws.com"
	}
	return guardDutyGlobalPrincipal
}
