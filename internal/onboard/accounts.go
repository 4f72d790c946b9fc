package onboard

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"log-archive/internal/suggest"
)

// csvColumns are the columns an account list may have; account and stack are required. services and
// trailNames hold several values separated by spaces or semicolons.
var csvColumns = []string{"account", "stack", "region", "services", "guardDutyDetectorId", "trailNames", "template", "wave", "name"}

// Input is a list of accounts to onboard, each with the place it was read from.
type Input struct {
	Accounts []Account
	Where    []string // "accounts.csv line 3"
}

// ReadAccounts reads a CSV (with a header row) or JSON (an array of objects) account list; name's
// extension says which. Every bad row is reported at once.
func ReadAccounts(name string, data []byte) (Input, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return readCSV(name, data)
	case ".json":
		return readJSON(name, data)
	}
	return Input{}, fmt.Errorf("%s: give a .csv or .json account list", name)
}

func readCSV(name string, data []byte) (Input, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err == io.EOF {
		return Input{}, fmt.Errorf("%s: empty; the first row names the columns: %s", name, strings.Join(csvColumns, ","))
	}
	if err != nil {
		return Input{}, fmt.Errorf("%s: %w", name, err)
	}
	var problems Problems
	for _, col := range header {
		if !slices.Contains(csvColumns, col) {
			problems.add(name+" line 1", fmt.Sprintf("unknown column %q", col), "the columns are "+strings.Join(csvColumns, ", ")+nearest(col, csvColumns))
		}
	}
	for _, col := range []string{"account", "stack"} {
		if !slices.Contains(header, col) {
			problems.add(name+" line 1", "no "+col+" column", "add it: every account needs its 12-digit ID and a stack name")
		}
	}
	if len(problems) > 0 {
		return Input{}, problems
	}
	var in Input
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Input{}, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := r.FieldPos(0)
		if line == 0 {
			line = len(in.Accounts) + 2
		}
		var a Account
		for i, col := range header {
			v := strings.TrimSpace(row[i])
			switch col {
			case "account":
				a.Account = v
			case "stack":
				a.Stack = v
			case "region":
				a.Region = v
			case "services":
				a.Services = splitList(v)
			case "guardDutyDetectorId":
				a.GuardDutyDetectorID = v
			case "trailNames":
				a.TrailNames = splitList(v)
			case "template":
				a.Template = v
			case "wave":
				a.Wave = v
			case "name":
				a.Name = v
			}
		}
		in.Accounts = append(in.Accounts, a)
		in.Where = append(in.Where, fmt.Sprintf("%s line %d", name, line))
	}
	return in, in.check()
}

func readJSON(name string, data []byte) (Input, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var accounts []Account
	if err := dec.Decode(&accounts); err != nil {
		return Input{}, fmt.Errorf("%s: %w (an array of {\"account\", \"stack\", ...} objects; the fields are %s)", name, err, strings.Join(csvColumns, ", "))
	}
	in := Input{Accounts: accounts}
	for i := range accounts {
		in.Where = append(in.Where, fmt.Sprintf("%s [%d]", name, i))
	}
	return in, in.check()
}

func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ';' })
}

// check refuses what would make a file name or an entry wrong before anything is rendered; the stack
// file's own keys are left to the program, which onboard runs on every generated file.
func (in Input) check() error {
	var problems Problems
	accounts := map[string]string{}
	stacks := map[string]string{}
	for i, a := range in.Accounts {
		where := in.Where[i]
		problems = append(problems, checkAccount(where, a)...)
		if first, ok := accounts[a.Account]; ok && a.Account != "" {
			problems.add(where, fmt.Sprintf("account %s is listed twice (also at %s); two stacks for one account collide on the replication role's name", a.Account, first), "keep one row")
		}
		if first, ok := stacks[a.Stack]; ok && a.Stack != "" {
			problems.add(where, fmt.Sprintf("stack %q is listed twice (also at %s)", a.Stack, first), "give each account its own stack name")
		}
		accounts[a.Account], stacks[a.Stack] = where, where
	}
	if len(problems) > 0 {
		return problems
	}
	return nil
}

func checkAccount(where string, a Account) Problems {
	var problems Problems
	if !accountIDPattern.MatchString(a.Account) {
		problems.add(where, fmt.Sprintf("account %q is not a 12-digit account ID", a.Account), "write the ID with its leading zeros, e.g. 012345678901")
	}
	if !stackNamePattern.MatchString(a.Stack) {
		problems.add(where, fmt.Sprintf("stack %q is not a stack name", a.Stack), "use letters, digits, -, _ and . only: it becomes Pulumi.<stack>.yaml")
	}
	if a.Wave != "" && a.Wave != WaveCanary {
		problems.add(where, fmt.Sprintf("wave %q is not a wave", a.Wave), `write "canary", or leave it empty for the deploy-sources wave`)
	}
	return problems
}

// nearest suggests the closest known name to a misspelt one (at most 3 edits away).
func nearest(got string, known []string) string {
	best := suggest.Nearest(got, known, 3)
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
