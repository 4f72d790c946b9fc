package awsid

import (
	"fmt"
	"strings"
)

// ValidateTopicArn accepts "" or an SNS topic ARN in this account, Region and the Region's partition.
func ValidateTopicArn(arn, account, region string) error {
	if arn == "" {
		return nil
	}
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sns" || parts[5] == "" {
		return fmt.Errorf("%q is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)", arn)
	}
	if parts[1] != ARNsFor(region).Partition || parts[3] != region || parts[4] != account {
		return fmt.Errorf("%q must be a topic in account %s and Region %s (partition %s): an alarm notifies only a topic in its own Region", arn, account, region, ARNsFor(region).Partition)
	}
	return nil
}

// ValidateSinkArn accepts the ARN of an OAM sink in region, in an account other than linking (M1).
func ValidateSinkArn(arn, region, linking string) error {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "oam" || ValidateAccountID(parts[4]) != nil ||
		!strings.HasPrefix(parts[5], "sink/") || len(parts[5]) == len("sink/") {
		return fmt.Errorf("%q is not an OAM sink ARN (arn:aws:oam:<region>:<account>:sink/<id>)", arn)
	}
	switch partition, got, account := parts[1], parts[3], parts[4]; {
	case partition != ARNsFor(region).Partition || got != region:
		return fmt.Errorf("%q is not a sink in %s: a link attaches only to a sink of its own Region", arn, region)
	case account == linking:
		return fmt.Errorf("%q is a sink in this account %s: a source account links to another account's sink", arn, linking)
	}
	return nil
}
