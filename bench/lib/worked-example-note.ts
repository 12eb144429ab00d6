import { workedExample } from '../../tests/fixtures/worked-example.ts';

/**
 * The design's worked example at the length an office really writes it, for the
 * publication bench: LumenCam's letter of 30 January (about 330 words, sent with the same
 * letter as a PDF, which staff cleared), five attendees, and a note of about 650 words
 * with the design's sections and footnotes. A bench that published a one-line note would
 * measure the listings alone and call the meeting's own pages free.
 */
export const letter = `Dear Commissioner,

I am writing on behalf of LumenCam Ltd, which designs and supplies the body-worn and fixed cameras used by a number of public bodies in Scotland, to ask for a meeting with you about the role our products play in public safety.

Over the past two years our cameras have been adopted by three police divisions, two local authorities and a transport operator. Each of them has asked us, in different ways, how long footage should be kept, who may see it, and how a member of the public can ask for a copy of footage of themselves. We have answered as best we can, but we are conscious that the answers belong to the bodies that use the cameras, and to you, rather than to a supplier.

We would welcome the chance to explain how the cameras record, store and delete footage, what the default settings are and why, and what we could change in the next release of our software to make it easier for our customers to meet their obligations. We would also value your view on the draft guidance we have prepared for customers, which we enclose.

We would be glad to meet at your office at a time convenient to you in February. Our Head of Policy and two colleagues from our communications agency, Northlight Communications, would join me.

Kind regards,

Helen Marsh
Vice-President, Public Affairs
LumenCam Ltd`;

export const note = `## Purpose

LumenCam Ltd asked to meet in its letter of 30 January 2026,[^1] to explain how its cameras record, keep and delete footage, and to seek the Commissioner's view on draft guidance it has prepared for its customers.

## Points of discussion

### How the cameras record and store footage

Ms Marsh described the company's two product lines: body-worn cameras, which record only when the wearer starts them, and fixed cameras, which record continuously to a rolling buffer. Footage from both is uploaded to a storage service that the customer controls; the company does not hold customers' footage and its staff cannot see it without the customer's permission.

Mr Patel explained that the default retention period is 31 days for footage not marked as evidence, after which it is deleted automatically. Customers may change the period. The Commissioner asked how many customers had done so and in which direction. Mr Patel did not have the figures to hand and undertook to provide them.[^2]

### Access by the police and by the public

The Commissioner asked how a member of the public could find out whether footage of them existed and ask for a copy. Ms Grant said the company's customers had asked the same question, and that the draft guidance suggests each customer publish a single point of contact. The Commissioner observed that a point of contact is of little use without a way to search footage by time and place, and asked whether the software supports that. Mr Patel said it does for fixed cameras but not yet for body-worn ones.

The Commissioner noted that footage shared with the police under a data-sharing agreement is then held by the police under their own retention rules, and that the guidance should say so plainly, so that customers do not tell the public it has been deleted when a copy remains elsewhere.

### Changes to the software

Ms Marsh said the next release, due in the summer, could include:

- a default retention period that the customer must confirm at installation, rather than one that applies silently;
- a log of every viewing and export of footage, which the customer can inspect;
- redaction of bystanders' faces in exported footage.

The Commissioner welcomed the first two and asked that the log be available to the customer's data protection officer without the company's involvement. On the third, the Commissioner said automated redaction should be checked by a person before footage is released, and that the guidance should not suggest otherwise.

### The draft guidance

The Commissioner said the Office could not approve or endorse guidance written by a supplier, but that officials would send written comments on the draft within four weeks. Mr Reid asked whether the company could say that the Office had been consulted. The Commissioner said the company could say that it had met the Commissioner and that this note is published, and nothing more.

## Conclusion

The Office will send written comments on the draft guidance by 24 March 2026. LumenCam will send the figures on retention periods changed by customers, and will tell the Office when the next release is published.

[^1]: The letter is published beside this note.
[^2]: The company sent the figures on 3 March 2026: 11 of its 40 customers had changed the period, 9 of them to a shorter one.`;

/** The five who attended, as the design's worked example lists them. */
export const attendees = workedExample.attendees;
