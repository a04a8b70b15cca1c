from crispy_forms_gds.choices import Choice
from django import forms

from maturity.forms import GDSForm


class BrandingForm(GDSForm):
    submit_label = "Save branding"

    display_name = forms.CharField(
        label="Name to show on your exports",
        help_text="Usually your firm's name. Report covers say “Prepared by” this name, and "
        "spreadsheets carry it on their About sheet.",
        max_length=100,
        error_messages={
            "required": "Enter the name to show on your exports",
            "max_length": "The name must be 100 characters or fewer",
        },
    )
    logo = forms.FileField(
        label="Logo (optional)",
        help_text="A PNG or JPEG image smaller than 500 KB. It appears on report covers, "
        "up to 70 mm wide.",
        required=False,
    )
    remove_logo = forms.BooleanField(label="Remove my current logo", required=False)

    def __init__(self, *args, has_logo: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if has_logo:
            self.fields["logo"].label = "Replace the logo (optional)"
        else:
            del self.fields["remove_logo"]

    def clean_logo(self):
        from maturity.accounts.branding import checked_logo

        upload = self.cleaned_data.get("logo")
        return checked_logo(upload) if upload else None


class BulkExportForm(GDSForm):
    submit_label = "Start the export"

    framework = forms.ChoiceField(
        label="Framework",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a framework"},
    )
    organisations = forms.MultipleChoiceField(
        label="Clients",
        help_text="For each client, the zip holds the board report (PDF) and the data (XLSX) of "
        "its most recent submitted assessment of the framework.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one client"},
    )
    word = forms.BooleanField(
        label="Word documents",
        help_text="Add each client's board report as a Word document (.docx) too, to edit "
        "before it goes to their board.",
        required=False,
    )

    def __init__(self, *args, clients, frameworks, **kwargs):
        super().__init__(*args, **kwargs)
        self.clients = {str(c.organisation.pk): c for c in clients}
        self.frameworks = {str(f.pk): f for f in frameworks}
        self.fields["framework"].choices = [
            Choice(
                key,
                f.name,
                hint=f"Submitted by {sum(f.pk in c.latest for c in clients)} of your clients",
            )
            for key, f in self.frameworks.items()
        ]
        self.fields["organisations"].choices = [
            Choice(
                key,
                c.organisation.name,
                hint=(
                    "Submitted: "
                    + "; ".join(
                        f"{a.framework_version.framework.name} {a.round_label}"
                        for a in sorted(
                            c.latest.values(), key=lambda a: a.framework_version.framework.name
                        )
                    )
                    if c.latest
                    else "Nothing submitted yet"
                ),
            )
            for key, c in self.clients.items()
        ]

    def clean(self):
        from reports.bulk import MAX_BODIES

        data = super().clean()
        framework = self.frameworks.get(data.get("framework", ""))
        chosen = [self.clients[key] for key in data.get("organisations", [])]
        if len(chosen) > MAX_BODIES:
            self.add_error(
                "organisations", f"Select {MAX_BODIES} clients or fewer; you selected {len(chosen)}"
            )
        if framework:
            missing = [c.organisation.name for c in chosen if framework.pk not in c.latest]
            if missing:
                self.add_error(
                    "organisations",
                    f"{', '.join(missing)} {'has' if len(missing) == 1 else 'have'} not submitted "
                    f"a {framework.name} assessment: leave {'it' if len(missing) == 1 else 'them'} "
                    "out or select another framework",
                )
        data["framework_obj"] = framework
        data["organisation_objs"] = [c.organisation for c in chosen]
        return data
