//! Views of a node's children: a mapping's [`Entries`] and a sequence's [`Items`], cheap to
//! copy and iterated without allocating.

use super::node::{EMPTY_TREE, Node, Raw, Tree};

/// A mapping's entries, in source order: (key, value) pairs.
#[derive(Debug, Clone, Copy)]
pub struct Entries<'t> {
    pub(super) tree: &'t Tree,
    pub(super) nodes: &'t [Raw],
}

/// A sequence's items, in source order.
#[derive(Debug, Clone, Copy)]
pub struct Items<'t> {
    pub(super) tree: &'t Tree,
    pub(super) nodes: &'t [Raw],
}

impl Default for Entries<'_> {
    fn default() -> Self {
        Entries {
            tree: &EMPTY_TREE,
            nodes: &[],
        }
    }
}

impl Default for Items<'_> {
    fn default() -> Self {
        Items {
            tree: &EMPTY_TREE,
            nodes: &[],
        }
    }
}

impl<'t> Entries<'t> {
    pub fn iter(self) -> impl DoubleEndedIterator<Item = (Node<'t>, Node<'t>)> + ExactSizeIterator + Clone {
        self.into_iter()
    }
    pub fn len(self) -> usize {
        self.nodes.len() / 2
    }
    pub fn is_empty(self) -> bool {
        self.nodes.is_empty()
    }
    pub fn get(self, i: usize) -> Option<(Node<'t>, Node<'t>)> {
        let pair = self.nodes.get(2 * i..2 * i + 2)?;
        let tree = self.tree;
        Some((Node::new(tree, &pair[0]), Node::new(tree, &pair[1])))
    }
    pub fn first(self) -> Option<(Node<'t>, Node<'t>)> {
        self.get(0)
    }
    pub fn last(self) -> Option<(Node<'t>, Node<'t>)> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }
}

impl<'t> Items<'t> {
    pub fn iter(self) -> impl DoubleEndedIterator<Item = Node<'t>> + ExactSizeIterator + Clone {
        self.into_iter()
    }
    pub fn len(self) -> usize {
        self.nodes.len()
    }
    pub fn is_empty(self) -> bool {
        self.nodes.is_empty()
    }
    pub fn get(self, i: usize) -> Option<Node<'t>> {
        let tree = self.tree;
        self.nodes.get(i).map(|raw| Node::new(tree, raw))
    }
    pub fn first(self) -> Option<Node<'t>> {
        self.get(0)
    }
    pub fn last(self) -> Option<Node<'t>> {
        self.nodes.len().checked_sub(1).and_then(|i| self.get(i))
    }
}

/// Iterates a mapping's entries.
#[derive(Clone)]
pub struct EntryIter<'t> {
    tree: &'t Tree,
    pairs: std::slice::ChunksExact<'t, Raw>,
}

impl<'t> Iterator for EntryIter<'t> {
    type Item = (Node<'t>, Node<'t>);
    fn next(&mut self) -> Option<Self::Item> {
        let pair = self.pairs.next()?;
        let tree = self.tree;
        Some((Node::new(tree, &pair[0]), Node::new(tree, &pair[1])))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.pairs.size_hint()
    }
}

impl DoubleEndedIterator for EntryIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let pair = self.pairs.next_back()?;
        let tree = self.tree;
        Some((Node::new(tree, &pair[0]), Node::new(tree, &pair[1])))
    }
}

impl ExactSizeIterator for EntryIter<'_> {}

/// Iterates a sequence's items.
#[derive(Clone)]
pub struct ItemIter<'t> {
    tree: &'t Tree,
    items: std::slice::Iter<'t, Raw>,
}

impl<'t> Iterator for ItemIter<'t> {
    type Item = Node<'t>;
    fn next(&mut self) -> Option<Self::Item> {
        let tree = self.tree;
        self.items.next().map(|raw| Node::new(tree, raw))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.items.size_hint()
    }
}

impl DoubleEndedIterator for ItemIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let tree = self.tree;
        self.items.next_back().map(|raw| Node::new(tree, raw))
    }
}

impl ExactSizeIterator for ItemIter<'_> {}

impl<'t> IntoIterator for Entries<'t> {
    type Item = (Node<'t>, Node<'t>);
    type IntoIter = EntryIter<'t>;
    fn into_iter(self) -> Self::IntoIter {
        EntryIter {
            tree: self.tree,
            pairs: self.nodes.chunks_exact(2),
        }
    }
}

impl<'t> IntoIterator for Items<'t> {
    type Item = Node<'t>;
    type IntoIter = ItemIter<'t>;
    fn into_iter(self) -> Self::IntoIter {
        ItemIter {
            tree: self.tree,
            items: self.nodes.iter(),
        }
    }
}
