import type { KnownBlock } from '@slack/types';
import { z } from 'zod';

/**
 * The Block Kit subset we send, with the limits @slack/types 3.2.0 documents on each
 * field (header text 150, section text 3000, at most 10 fields of 2000, button text 75,
 * URL 3000, block_id 255) and Slack's 50 blocks per message. The compile-time check at
 * the bottom keeps these schemas assignable to @slack/types' `KnownBlock`; the fake
 * Slack in the tests rejects any payload that does not parse, as Slack answers
 * `invalid_payload`.
 */

const text = (max: number) => z.string().min(1).max(max);
const blockId = z.string().min(1).max(255).optional();

const PlainText = (max = 3000) => z.strictObject({ type: z.literal('plain_text'), text: text(max), emoji: z.boolean().optional() });
const Mrkdwn = (max = 3000) => z.strictObject({ type: z.literal('mrkdwn'), text: text(max), verbatim: z.boolean().optional() });
const TextObject = (max = 3000) => z.union([PlainText(max), Mrkdwn(max)]);

export const HeaderBlock = z.strictObject({ type: z.literal('header'), text: PlainText(150), block_id: blockId });

export const SectionBlock = z
  .strictObject({
    type: z.literal('section'),
    text: TextObject(3000).optional(),
    fields: z.array(TextObject(2000)).min(1).max(10).optional(),
    block_id: blockId,
  })
  .refine((block) => block.text !== undefined || block.fields !== undefined, { message: 'a section needs text or fields' });

export const ContextBlock = z.strictObject({ type: z.literal('context'), elements: z.array(TextObject(3000)).min(1).max(10), block_id: blockId });

export const ButtonElement = z.strictObject({
  type: z.literal('button'),
  text: PlainText(75),
  url: z.url().max(3000).optional(),
  action_id: z.string().min(1).max(255).optional(),
  value: z.string().max(2000).optional(),
  style: z.enum(['primary', 'danger']).optional(),
});

export const ActionsBlock = z.strictObject({ type: z.literal('actions'), elements: z.array(ButtonElement).min(1).max(25), block_id: blockId });

export const DividerBlock = z.strictObject({ type: z.literal('divider'), block_id: blockId });

export const SlackBlock = z.union([HeaderBlock, SectionBlock, ContextBlock, ActionsBlock, DividerBlock]);
export type SlackBlock = z.infer<typeof SlackBlock>;

/** An incoming-webhook message: `text` is the notification and fallback, `blocks` what is shown. */
export const SlackMessage = z.strictObject({
  text: text(40_000),
  blocks: z.array(SlackBlock).min(1).max(50),
});
export type SlackMessage = z.infer<typeof SlackMessage>;

/** Fails to compile if a schema above allows a block @slack/types does not. */
type Assert<T extends true> = T;
export type BlocksAreSlackTypes = Assert<SlackBlock extends KnownBlock ? true : false>;
