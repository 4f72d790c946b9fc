package components

import "fmt"

// fieldErrors collects validation problems, each prefixed with the argument field it concerns.
type fieldErrors []error

func (e *fieldErrors) add(field string, err error) {
	if err != nil {
		*e = append(*e, fmt.Errorf("%s: %w", field, err))
	}
}
