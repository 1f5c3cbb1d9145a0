/**
 * Why a rule's request could not be rendered for an event: a template error, a URL that is not
 * absolute after filling in lead values, a mapping conflict. The message is written for the admin
 * (it is shown on the delivery and under the form field), so callers show it as is.
 */
export class RenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RenderError";
  }
}
